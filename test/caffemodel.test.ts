/**
 * .caffemodel reading: files written by test/support/caffemodel.ts (a writer from
 * caffe.proto, with the plain index-loop definition of Caffe's layouts) in both forms
 * the published files use, checked against the parameters they were written from, a
 * safetensors copy of the same weights (every tap), and a hand-written (c, h, w)
 * flatten of pool5 for VGG16's fc layers.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readNpy, writeNpy } from "../src/io/npy.js";
import { modelFromWeights } from "../src/load.js";
import { modelSpec } from "../src/models/index.js";
import { paramSpecs } from "../src/net/params.js";
import { tapNames, type ModelName } from "../src/net/spec.js";
import { CAFFE_FCN_PREPROCESS, VGG16_CAFFE_PREPROCESS } from "../src/preprocess.js";
import { looksLikeCaffemodel } from "../src/weights/caffemodel.js";
import {
  WeightsFileError,
  WeightsMismatchError,
  detectWeightsFormat,
  readWeights,
  readWeightsBytes,
  writeWeights,
  type HostParams,
  type WeightsFile,
} from "../src/weights/index.js";
import { caffemodelBytes, randomCaffemodelFile, writeCaffemodelFile, type CaffemodelOptions } from "./support/caffemodel.js";
import { relDiff } from "./support/naive.js";
import { randomArray } from "./support/random.js";
import { cli } from "./support/cli.js";

const WIDTH = 1 / 16;
let dir: string;

beforeAll(async () => {
  await tf.setBackend("cpu");
  dir = await mkdtemp(join(tmpdir(), "fcn-viz-caffemodel-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

/**
 * Random parameters in tfjs layout, every tensor different and asymmetric (upsampling
 * kernels too: a bilinear kernel would hide a swapped in/out axis), He-scaled so the
 * activations stay finite.
 */
function randomHost(model: ModelName, o: { width?: number; classes?: number; atOnce?: boolean; seed?: number } = {}): HostParams {
  const spec = modelSpec(model, { width: o.width ?? WIDTH, ...(o.classes && { classes: o.classes }), ...(o.atOnce && { atOnce: true }) });
  const out: HostParams = new Map();
  paramSpecs(spec).forEach((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const fanIn = p.shape.length === 4 ? p.shape[0]! * p.shape[1]! * p.shape[2]! : 1;
    out.set(p.name, { shape: p.shape, data: randomArray(n, (o.seed ?? 7) * 1000 + i, p.role === "bias" ? 0.5 : Math.sqrt(6 / fanIn)) });
  });
  return out;
}

function expectSameParams(got: HostParams, want: HostParams): void {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [name, t] of want) {
    const g = got.get(name)!;
    expect(g.shape, name).toEqual([...t.shape]);
    // Written as float32, read as float32: bit for bit.
    expect(g.data.every((v, i) => v === t.data[i]), `${name} values`).toBe(true);
  }
}

async function writeTo(name: string, bytes: Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, bytes);
  return p;
}

/** Every tap of two models on the same input, compared exactly (same weights, same backend). */
async function expectSameTaps(a: WeightsFile, b: WeightsFile, size: number): Promise<string[]> {
  const ma = modelFromWeights(undefined, a);
  const mb = modelFromWeights(undefined, b);
  try {
    expect(ma.spec.nodes.map((n) => n.name)).toEqual(mb.spec.nodes.map((n) => n.name));
    const x = tf.randomUniform([1, size, size, 3], -120, 120, "float32", 3) as tf.Tensor4D;
    const ta = ma.forward(x, { taps: "all" });
    const tb = mb.forward(x, { taps: "all" });
    const names = tapNames(ma.spec);
    for (const n of names) {
      const [da, db] = [await ta[n]!.data(), await tb[n]!.data()];
      expect(da.every((v, i) => v === db[i] && Number.isFinite(v)), `tap ${n}`).toBe(true);
    }
    [x, ...Object.values(ta), ...Object.values(tb)].forEach((t) => t.dispose());
    return names;
  } finally {
    ma.dispose();
    mb.dispose();
  }
}

describe("reading both forms, as published", () => {
  const cases: { label: string; model: "vgg16" | "fcn32s" | "fcn16s" | "fcn8s"; form: "layer" | "v1"; atOnce?: boolean; size: number }[] = [
    { label: "FCN-32s, current form, training snapshot", model: "fcn32s", form: "layer", size: 40 },
    { label: "FCN-16s, current form, training snapshot", model: "fcn16s", form: "layer", size: 40 },
    { label: "FCN-8s, current form, training snapshot", model: "fcn8s", form: "layer", size: 40 },
    { label: "FCN-8s at-once (Scale layers), current form", model: "fcn8s", form: "layer", atOnce: true, size: 40 },
    { label: "FCN-8s, V1 form", model: "fcn8s", form: "v1", size: 40 },
    { label: "VGG16, V1 form (the 2014 release's)", model: "vgg16", form: "v1", size: 224 },
    { label: "VGG16, current form (InnerProduct 2-D blobs)", model: "vgg16", form: "layer", size: 224 },
  ];
  for (const c of cases) {
    it(`${c.label}: the parameters written, the model and preprocessing inferred, every tap as from safetensors`, async () => {
      const classes = c.model === "vgg16" ? 10 : 21;
      const host = randomHost(c.model, { classes, ...(c.atOnce && { atOnce: true }) });
      const path = await writeTo(`${c.model}-${c.form}${c.atOnce ? "-atonce" : ""}.caffemodel`, caffemodelBytes(host, { form: c.form, model: c.model, atOnce: c.atOnce, snapshot: true }));
      const file = await readWeights(path);
      expect(file.format).toBe("caffemodel");
      expect(file.source).toBe(path);
      expectSameParams(file.params, host);
      expect(file.meta).toEqual({
        model: c.model,
        classes,
        width: WIDTH,
        preprocess: c.model === "vgg16" ? VGG16_CAFFE_PREPROCESS : CAFFE_FCN_PREPROCESS,
        ...(c.atOnce && { atOnce: true }),
      });

      // The same weights through safetensors (PyTorch layout, metadata naming the model).
      const st = join(dir, `${c.model}-${c.form}.safetensors`);
      await writeWeights(st, file);
      const names = await expectSameTaps(file, await readWeights(st), c.size);
      if (c.atOnce) expect(names).toEqual(expect.arrayContaining(["scale_pool4", "scale_pool3"]));
    });
  }

  it("fc6's inputs are pool5 flattened in Caffe's (c, h, w) order: VGG16 logits against a hand-written matmul", async () => {
    // fc layers written as raw Caffe blobs (legacy dims, V1 enum INNER_PRODUCT = 14) next to random convs.
    const convs = new Map([...randomHost("vgg16", { classes: 10 })].filter(([k]) => k.startsWith("conv")));
    const c = 512 * WIDTH;
    const [o6, o7, o8] = [4096 * WIDTH, 4096 * WIDTH, 10];
    const w6 = randomArray(o6 * c * 49, 61, Math.sqrt(6 / (c * 49)));
    const b6 = randomArray(o6, 62, 0.5);
    const w7 = randomArray(o7 * o6, 71, Math.sqrt(6 / o6));
    const b7 = randomArray(o7, 72, 0.5);
    const w8 = randomArray(o8 * o7, 81, Math.sqrt(6 / o7));
    const b8 = randomArray(o8, 82, 0.5);
    const ip = (name: string, w: Float32Array, b: Float32Array, out: number, inn: number) => ({
      name,
      type: 14,
      blobs: [
        { dims: [1, 1, out, inn], data: w },
        { dims: [1, 1, 1, out], data: b },
      ],
    });
    const bytes = caffemodelBytes(convs, {
      form: "v1",
      model: "vgg16",
      extraLayers: [ip("fc6", w6, b6, o6, c * 49), ip("fc7", w7, b7, o7, o6), ip("fc8", w8, b8, o8, o7)],
    });
    const model = modelFromWeights(undefined, await readWeightsBytes({ name: "vgg16.caffemodel", bytes }));
    expect(model.spec.model).toBe("vgg16");
    const x = tf.randomUniform([1, 224, 224, 3], -120, 120, "float32", 5) as tf.Tensor4D;
    const taps = model.forward(x, { taps: ["pool5", "fc8"] });
    const pool5 = await taps.pool5!.data(); // NHWC [1, 7, 7, c]
    const logits = await taps.fc8!.data();
    [x, ...Object.values(taps)].forEach((t) => t.dispose());
    model.dispose();

    const dense = (inp: ArrayLike<number>, w: Float32Array, b: Float32Array, out: number, relu: boolean) =>
      Array.from({ length: out }, (_, o) => {
        let s = b[o]!;
        for (let i = 0; i < inp.length; i++) s += w[o * inp.length + i]! * inp[i]!;
        return relu ? Math.max(0, s) : s;
      });
    // Caffe's flatten of a (c, h, w) blob: index (c * 7 + h) * 7 + w.
    const flat = new Float64Array(c * 49);
    for (let ch = 0; ch < c; ch++) for (let h = 0; h < 7; h++) for (let w = 0; w < 7; w++) flat[(ch * 7 + h) * 7 + w] = pool5[(h * 7 + w) * c + ch]!;
    const want = dense(dense(dense(flat, w6, b6, o6, true), w7, b7, o7, true), w8, b8, o8, false);
    expect(relDiff(logits, want)).toBeLessThan(1e-4);
  });

  it("a full-width VGG16 .caffemodel as the VGG authors published it (V1, 553 MB) reads with every shape right", async () => {
    const path = join(dir, "VGG_ILSVRC_16_layers.caffemodel");
    await randomCaffemodelFile(path, "vgg16", { seed: 3 });
    // The published file is 553,432,081 bytes; the same floats with this writer's framing:
    expect(Math.abs((await stat(path)).size - 553_432_081)).toBeLessThan(2000);
    const file = await readWeights(path);
    await rm(path);
    const specs = paramSpecs(modelSpec("vgg16"));
    expect(new Map([...file.params].map(([k, t]) => [k, t.shape]))).toEqual(new Map(specs.map((s) => [s.name, s.shape])));
    expect(file.params.get("fc6.weight")!.shape).toEqual([7, 7, 512, 4096]);
    expect(file.meta).toMatchObject({ model: "vgg16", classes: 1000, width: 1 });
    // He-scaled uniform: every fc6 weight within sqrt(6 / 25088), the values not all alike.
    const fc6 = file.params.get("fc6.weight")!.data;
    const bound = Math.sqrt(6 / 25088);
    let max = 0;
    for (let i = 0; i < fc6.length; i += 997) max = Math.max(max, Math.abs(fc6[i]!));
    expect(max).toBeLessThanOrEqual(Math.fround(bound) * (1 + 1e-6));
    expect(max).toBeGreaterThan(0.9 * bound);
  });
});

describe("encodings the format allows", () => {
  const host = randomHost("fcn16s");
  const opts: CaffemodelOptions = { form: "layer", model: "fcn16s", snapshot: true };

  it("packed floats at any byte offset (copied when a Float32Array view cannot be aligned), file and bytes alike", async () => {
    const bytes = caffemodelBytes(host, opts);
    for (const shift of [0, 1, 2, 3]) {
      const buf = new Uint8Array(bytes.length + shift);
      buf.set(bytes, shift);
      const file = await readWeightsBytes({ name: "x.caffemodel", bytes: buf.subarray(shift) });
      expect(file.format).toBe("caffemodel");
      expect(file.source).toBe("x.caffemodel");
      expectSameParams(file.params, host);
    }
    // Parameters never alias the caller's bytes (biases are kept as read).
    const file = await readWeightsBytes({ name: "x.caffemodel", bytes });
    for (const t of file.params.values()) expect(t.data.buffer).not.toBe(bytes.buffer);
  });

  it("unpacked floats (one fixed32 field per value) and double_data read the same", async () => {
    for (const encoding of ["unpacked", "double"] as const) {
      const path = await writeTo(`fcn16s-${encoding}.caffemodel`, caffemodelBytes(host, { ...opts, encoding }));
      expectSameParams((await readWeights(path)).params, host);
      expectSameParams((await readWeightsBytes({ name: "x", bytes: new Uint8Array(await readFile(path)) })).params, host);
    }
  });

  it("the streaming writer writes the same bytes as the in-memory one", async () => {
    const path = join(dir, "streamed.caffemodel");
    await writeCaffemodelFile(path, host, opts);
    expect(Buffer.compare(await readFile(path), caffemodelBytes(host, opts))).toBe(0);
  });
});

describe("detection by content", () => {
  it("finds both forms under any name, and nothing else", async () => {
    const fcn = caffemodelBytes(randomHost("fcn32s"), { form: "layer", model: "fcn32s", snapshot: true });
    const vgg = caffemodelBytes(randomHost("vgg16", { classes: 10 }), { form: "v1", model: "vgg16" });
    const named = caffemodelBytes(randomHost("fcn32s"), { form: "layer", model: "fcn32s", name: "FCN" });
    for (const b of [fcn, vgg, named]) expect(looksLikeCaffemodel(b.subarray(0, 4096), b.length)).toBe(true);
    expect(await detectWeightsFormat(await writeTo("weights.bin", fcn))).toBe("caffemodel");

    const st = join(dir, "small.safetensors");
    const h5 = join(dir, "small.h5");
    const small: HostParams = new Map([["conv1_1.bias", { shape: [4], data: new Float32Array(4) }]]);
    await writeWeights(st, { params: small, meta: {} });
    await writeWeights(h5, { params: small, meta: {} });
    const others = [
      new Uint8Array(await readFile("sample-images/chelsea.png")),
      new Uint8Array(await readFile(st)),
      new Uint8Array(await readFile(h5)),
      new TextEncoder().encode('{"format": "layers-model", "weightsManifest": []}'),
      new TextEncoder().encode('name: "FCN"\nlayer {\n  name: "data"\n  type: "Python"\n}\n'),
      // A Caffe solver state (iter 1, learned_net 2) and a mean .binaryproto (BlobProto: num 1 ...): other protobufs.
      Uint8Array.from([0x08, 0x90, 0x4e, 0x12, 0x05, 0x61, 0x2e, 0x63, 0x6d, 0x6f]),
      Uint8Array.from([0x08, 0x01, 0x10, 0x03, 0x18, 0xe0, 0x01, 0x20, 0xe0, 0x01, 0x2a, 0x00]),
      Uint8Array.from(randomArray(256, 5), (v) => Math.floor((v + 1) * 127.5)),
      new Uint8Array(0),
    ];
    for (const b of others) expect(looksLikeCaffemodel(b.subarray(0, 4096), b.length)).toBe(false);
  });

  it("a .prototxt, or a file named .caffemodel that is not one, is named as such", async () => {
    const proto = await writeTo("deploy.prototxt", new TextEncoder().encode('name: "FCN"\nlayer { name: "data" }\n'));
    await expect(readWeights(proto)).rejects.toThrow(/Caffe \.prototxt: the net's definition as text, without weights/);
    const fake = await writeTo("fcn8s-heavy-pascal.caffemodel", new TextEncoder().encode("<html>404 Not Found</html>"));
    await expect(readWeights(fake)).rejects.toThrow(/does not start like one.*partial or corrupt download/);
  });
});

describe("errors say what is wrong, and where", () => {
  const host = randomHost("fcn32s");
  const bytes = caffemodelBytes(host, { form: "layer", model: "fcn32s", snapshot: true });

  it("a truncated file: the layer cut short, its byte offset, and what to do", async () => {
    // Cut inside fc6's floats (fc6 is most of the file), and inside the last layer.
    for (const keep of [Math.floor(bytes.length * 0.6), bytes.length - 10]) {
      const cut = bytes.subarray(0, keep);
      const path = await writeTo("cut.caffemodel", cut);
      for (const read of [() => readWeights(path), () => readWeightsBytes({ name: path, bytes: cut })]) {
        const e = await read().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(WeightsFileError);
        expect((e as Error).message).toMatch(
          new RegExp(`^${path}: layer \\d+ "\\w+" \\(\\w+\\), byte offset \\d+: .*the file ends at byte ${keep}: the file is truncated .*fetch or copy it again`),
        );
      }
    }
  });

  it("a missing blob and a mis-shaped one: one error listing both, in the file's own layout too", async () => {
    const bad = new Map(host);
    bad.delete("score_fr.bias");
    const w = host.get("conv3_1.weight")!;
    bad.set("conv3_1.weight", { shape: [3, 3, w.shape[2]!, 7], data: w.data.subarray(0, 9 * w.shape[2]! * 7) });
    const file = await readWeightsBytes({ name: "bad.caffemodel", bytes: caffemodelBytes(bad, { form: "layer", model: "fcn32s" }) });
    let e: unknown;
    try {
      modelFromWeights(undefined, file);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(WeightsMismatchError);
    const m = e as WeightsMismatchError;
    expect(m.missing).toEqual(["score_fr.bias"]);
    expect(m.misshaped.map((x) => x.name)).toEqual(["conv3_1.weight"]);
    expect(m.message).toMatch(/conv3_1\.weight: expected \[3, 3, 8, 16\], found \[3, 3, 8, 7\]\s+\(Caffe layout: expected \(16, 8, 3, 3\), found \(7, 8, 3, 3\)\)/);
  });

  it("a layer of a type fcn-viz does not read, carrying weights, names the layer and its type", async () => {
    const blob = { dims: [4], data: new Float32Array(4) };
    const current = caffemodelBytes(host, { form: "layer", model: "fcn32s", extraLayers: [{ name: "bn1", type: "BatchNorm", blobs: [blob] }] });
    await expect(readWeightsBytes({ name: "a.caffemodel", bytes: current })).rejects.toThrow(/a\.caffemodel: layer "bn1" \(BatchNorm\) carries weights, but fcn-viz reads only/);
    const v1 = caffemodelBytes(randomHost("vgg16", { classes: 10 }), { form: "v1", model: "vgg16", extraLayers: [{ name: "norm1", type: 15, blobs: [blob] }] });
    await expect(readWeightsBytes({ name: "b.caffemodel", bytes: v1 })).rejects.toThrow(/layer "norm1" \(LRN\) carries weights/);
    // Weightless layers of any type are skipped: the snapshot's Python, ReLU, Pooling, Dropout, Crop, Eltwise, SoftmaxWithLoss.
    const odd = caffemodelBytes(host, { form: "layer", model: "fcn32s", extraLayers: [{ name: "whatever", type: "SomethingNew", blobs: [] }] });
    expectSameParams((await readWeightsBytes({ name: "c", bytes: odd })).params, host);
  });

  it("at-once Scale layers must scale by the at-once factors", async () => {
    const at = randomHost("fcn8s", { atOnce: true });
    const wrong = caffemodelBytes(at, { form: "layer", model: "fcn8s", atOnce: true, scaleFactors: { pool4: 0.02, pool3: 0.0001 } });
    await expect(readWeightsBytes({ name: "s.caffemodel", bytes: wrong })).rejects.toThrow(
      /layer "scale_pool4" \(Scale\) multiplies by 0\.0199\d* \(value 0\), but the at-once FCN-8s scales by 0\.01 there/,
    );
  });

  it("a net without weights, and writing a .caffemodel", async () => {
    const empty = caffemodelBytes(new Map(), { form: "layer", model: "fcn32s", snapshot: true });
    await expect(readWeightsBytes({ name: "e.caffemodel", bytes: empty })).rejects.toThrow(/layers hold no weights/);
    await expect(writeWeights(join(dir, "out.caffemodel"), { params: host, meta: {} })).rejects.toThrow(/does not write them: write \.safetensors instead/);
  });
});

describe("the model comes from the weights", () => {
  it("the project's FCN-32s safetensors loads without naming the model (metadata, else layer names); the at-once flag round-trips", async () => {
    const host = randomHost("fcn32s");
    const withMeta = join(dir, "fcn32s-meta.safetensors");
    const bare = join(dir, "fcn32s-bare.safetensors");
    await writeWeights(withMeta, { params: host, meta: { model: "fcn32s" } });
    await writeWeights(bare, { params: host, meta: {} });
    const lines: string[] = [];
    const m1 = modelFromWeights(undefined, await readWeights(withMeta), { log: (l) => lines.push(l) });
    const m2 = modelFromWeights("auto", await readWeights(bare), { log: (l) => lines.push(l) });
    expect([m1.name, m2.name]).toEqual(["fcn32s", "fcn32s"]);
    expect(lines).toEqual(expect.arrayContaining(["model: fcn32s, as the weights file says", "model: fcn32s, from the weights' layer names"]));
    [m1, m2].forEach((m) => m.dispose());

    const at = randomHost("fcn8s", { atOnce: true });
    for (const ext of ["safetensors", "h5", "json"]) {
      const p = join(dir, `atonce.${ext}`);
      await writeWeights(p, { params: at, meta: { model: "fcn8s", atOnce: true } });
      const read = await readWeights(p);
      expect(read.meta.atOnce, ext).toBe(true);
      const m = modelFromWeights(undefined, read);
      expect(m.spec.nodes.find((n) => n.name === "scale_pool3")?.op).toEqual({ type: "scale", factor: 0.0001 });
      m.dispose();
    }
    await expect(writeWeights(join(dir, "bad.safetensors"), { params: host, meta: { model: "fcn32s", atOnce: true } })).rejects.toThrow(
      /atOnce is a variant of fcn8s, but the metadata's model is fcn32s/,
    );
  });

  it("weights that name no model and have no VGG16/FCN layers: the error asks for one", () => {
    const file: WeightsFile = { params: new Map([["foo.weight", { shape: [1, 1, 3, 4], data: new Float32Array(12) }]]), meta: {}, format: "safetensors" };
    expect(() => modelFromWeights(undefined, file)).toThrow(/cannot tell which model the weights are for.*name it \(vgg16, vgg16-fcn, fcn32s, fcn16s, fcn8s\)/);
  });
});

describe("CLI", () => {
  it("segment without --model runs the model the weights are: an FCN-32s safetensors and a .caffemodel", async () => {
    const input = join(dir, "input.npy");
    await writeFile(input, writeNpy([48, 40, 3], randomArray(48 * 40 * 3, 9, 100)));
    const st = join(dir, "cli-fcn32s.safetensors");
    await writeWeights(st, { params: randomHost("fcn32s"), meta: { model: "fcn32s" } });
    const cm = await writeTo("cli-fcn16s.caffemodel", caffemodelBytes(randomHost("fcn16s"), { form: "layer", model: "fcn16s", snapshot: true }));
    for (const [weights, model] of [[st, "fcn32s"], [cm, "fcn16s"]] as const) {
      const taps = join(dir, `taps-${model}`);
      const r = await cli("segment", input, "--weights", weights, "--backend", "cpu", "--taps", "score_fr", "--taps-dir", taps);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain(`model: ${model}`);
      const manifest = JSON.parse(await readFile(join(taps, "manifest.json"), "utf8"));
      expect(manifest).toMatchObject({ model, width: WIDTH, classes: 21 });
      expect(readNpy(new Uint8Array(await readFile(join(taps, "score_fr.npy")))).shape[3]).toBe(21);
    }
    // A tap the inferred model lacks is still refused, by name.
    const r = await cli("segment", input, "--weights", st, "--backend", "cpu", "--taps", "score_pool4");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown tap "score_pool4" for fcn32s/);
  });

  it("convert a .caffemodel to F16 safetensors: half the floats' bytes, metadata carried, values rounded to half", async () => {
    const host = randomHost("fcn8s", { atOnce: true });
    const cm = await writeTo("conv-in.caffemodel", caffemodelBytes(host, { form: "layer", model: "fcn8s", atOnce: true }));
    const [f32, f16] = [join(dir, "conv-out32.safetensors"), join(dir, "conv-out16.safetensors")];
    expect((await cli("convert", cm, f32)).code).toBe(0);
    const r = await cli("convert", cm, f16, "--dtype", "F16");
    expect(r.code, r.err).toBe(0);
    const floats = [...host.values()].reduce((n, t) => n + t.data.length, 0);
    const [s32, s16] = [(await stat(f32)).size, (await stat(f16)).size];
    expect(s32 - s16).toBeGreaterThan(2 * floats - 1000);
    const back = await readWeights(f16);
    expect(back.meta).toMatchObject({ model: "fcn8s", atOnce: true, preprocess: CAFFE_FCN_PREPROCESS });
    const w = back.params.get("score_fr.weight")!.data;
    const want = host.get("score_fr.weight")!.data;
    expect(relDiff(w, want)).toBeGreaterThan(0);
    expect(relDiff(w, want)).toBeLessThan(1e-3); // half precision: 11 significant bits

    expect((await cli("convert", cm, join(dir, "x.h5"), "--dtype", "F16")).err).toMatch(/--dtype F16 or F32 applies to safetensors output/);
    expect((await cli("convert", cm, join(dir, "x.caffemodel"))).err).toMatch(/does not write them: write \.safetensors instead/);
  });
});
