import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import h5wasm from "h5wasm/node";
import type { Attribute, Dataset, Group } from "h5wasm/node";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelSpec } from "../src/models/index.js";
import { paramSpecs, type ParamSpec } from "../src/net/params.js";
import { CAFFE_FCN_PREPROCESS, KERAS_VGG16_PREPROCESS } from "../src/preprocess.js";
import { readKerasH5 } from "../src/weights/files.js";
import { tfjsToTorch, torchToTfjs } from "../src/weights/layout.js";
import { prng } from "../core/prng.js";
import {
  checkWeights,
  fromTensors,
  inferWeightsConfig,
  readWeights,
  toTensors,
  TORCHVISION_PREPROCESS,
  WeightsFileError,
  WeightsMismatchError,
  writeWeights,
  type HostParams,
  type HostTensor,
  type WeightsMeta,
} from "../src/weights/index.js";

// ---------- fixtures ----------

const FCN8S_SPECS = paramSpecs(modelSpec("fcn8s", { width: 1 / 16, classes: 5 }));
const VGG16_SPECS = paramSpecs(modelSpec("vgg16", { width: 1 / 16, classes: 7 }));

const FCN8S_META: WeightsMeta = {
  model: "fcn8s",
  classes: 5,
  width: 1 / 16,
  preprocess: CAFFE_FCN_PREPROCESS,
  notes: { seed: "42", data: "random test parameters" },
};
const VGG16_META: WeightsMeta = { model: "vgg16", classes: 7, width: 1 / 16, preprocess: KERAS_VGG16_PREPROCESS };

// Deterministic, so a failure reproduces.
const rng = prng;

function randomParams(specs: readonly ParamSpec[], seed: number): HostParams {
  const r = rng(seed);
  const out: HostParams = new Map();
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = r() * 2 - 1;
    out.set(s.name, { shape: [...s.shape], data });
  }
  return out;
}

/** Same names, shapes, and bit-identical float32 data. */
function expectSameParams(actual: HostParams, expected: HostParams): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, e] of expected) {
    const a = actual.get(name)!;
    expect(a.shape, name).toEqual(e.shape);
    const ab = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    const eb = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    expect(ab.equals(eb), `${name} bytes`).toBe(true);
  }
}

function without(p: HostParams, pred: (name: string) => boolean): HostParams {
  return new Map([...p].filter(([n]) => !pred(n)));
}

/** Flat index of [a][b][c][d] in a row-major 4-D array. */
const idx4 = (s: readonly number[], a: number, b: number, c: number, d: number) => ((a * s[1]! + b) * s[2]! + c) * s[3]! + d;

/** Naive PyTorch conv / ConvTranspose from tfjs: torch[x][y][h][w] = tfjs[h][w][y][x]. */
function naiveTorchFromTfjs(t: HostTensor): HostTensor {
  const [H, W, Y, X] = t.shape as number[] as [number, number, number, number];
  const shape = [X, Y, H, W];
  const data = new Float32Array(t.data.length);
  for (let x = 0; x < X; x++)
    for (let y = 0; y < Y; y++)
      for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) data[idx4(shape, x, y, h, w)] = t.data[idx4(t.shape, h, w, y, x)]!;
  return { shape, data };
}

/** Naive PyTorch Linear from a tfjs [k, k, C, out] kernel: L[o][c*k*k + h*k + w] = K[h][w][c][o]. */
function naiveTorchLinear(t: HostTensor): HostTensor {
  const [k, , C, O] = t.shape as [number, number, number, number];
  const inDim = C * k * k;
  const data = new Float32Array(t.data.length);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < k; h++) for (let w = 0; w < k; w++) data[o * inDim + c * k * k + h * k + w] = t.data[idx4(t.shape, h, w, c, o)]!;
  return { shape: [O, inDim], data };
}

/** Naive Keras Dense kernel: D[(h*k + w)*C + c][o] = K[h][w][c][o]. */
function naiveKerasDense(t: HostTensor): HostTensor {
  const [k, , C, O] = t.shape as [number, number, number, number];
  const data = new Float32Array(t.data.length);
  for (let h = 0; h < k; h++)
    for (let w = 0; w < k; w++)
      for (let c = 0; c < C; c++) for (let o = 0; o < O; o++) data[((h * k + w) * C + c) * O + o] = t.data[idx4(t.shape, h, w, c, o)]!;
  return { shape: [k * k * C, O], data };
}

/** A safetensors file built independently of src/weights. */
function encodeSafetensors(tensors: [string, string, number[], Uint8Array][], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  for (const [name, dtype, shape, bytes] of tensors) {
    header[name] = { dtype, shape, data_offsets: [off, off + bytes.length] };
    off += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...tensors.map((t) => Buffer.from(t[3]))]);
}

function parseSafetensors(buf: Buffer): Map<string, { dtype: string; shape: number[]; data: Float32Array }> {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { dtype: string; shape: number[]; data: Float32Array }>();
  for (const [name, e] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const bytes = buf.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]);
    const data = new Float32Array(bytes.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
    out.set(name, { dtype: e.dtype, shape: e.shape, data });
  }
  return out;
}

const f32bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "fcn-viz-weights-"));
  await h5wasm.ready;
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});
const tmp = (name: string) => path.join(dir, name);

async function openH5<T>(file: string, f: (h: InstanceType<typeof h5wasm.File>) => T): Promise<T> {
  const h = new h5wasm.File(file, "r");
  try {
    return f(h);
  } finally {
    h.close();
  }
}

// ---------- round trips ----------

describe("round trips", () => {
  const fcn = randomParams(FCN8S_SPECS, 1);
  const vgg = randomParams(VGG16_SPECS, 2);

  it("safetensors", async () => {
    await writeWeights(tmp("fcn8s.safetensors"), { params: fcn, meta: FCN8S_META });
    const back = await readWeights(tmp("fcn8s.safetensors"));
    expect(back.format).toBe("safetensors");
    expectSameParams(back.params, fcn);
    expect(back.meta).toEqual(FCN8S_META);
  });

  it("tfjs directory, sharded like tfjs", async () => {
    const d = tmp("fcn8s-tfjs");
    await writeWeights(d, { params: fcn, meta: FCN8S_META }, undefined, { shardBytes: 100_000 });
    const files = (await fsp.readdir(d)).sort();
    const shards = files.filter((f) => f.endsWith(".bin"));
    const total = [...fcn.values()].reduce((n, t) => n + t.data.byteLength, 0);
    expect(shards.length).toBe(Math.ceil(total / 100_000));
    expect(shards).toContain(`group1-shard1of${shards.length}.bin`);
    for (const s of shards) expect((await fsp.stat(path.join(d, s))).size).toBeLessThanOrEqual(100_000);
    const json = JSON.parse(await fsp.readFile(path.join(d, "model.json"), "utf8"));
    expect(json.format).toBe("fcn-viz-weights");
    expect(json.fcnViz).toEqual(FCN8S_META);
    expect(json.weightsManifest[0].weights[0]).toEqual({ name: "conv1_1.weight", shape: [3, 3, 3, 4], dtype: "float32" });

    for (const p of [d, path.join(d, "model.json")]) {
      const back = await readWeights(p);
      expect(back.format).toBe("tfjs");
      expectSameParams(back.params, fcn);
      expect(back.meta).toEqual(FCN8S_META);
    }
  });

  it("tfjs default shards are at most 4 MiB; a .json path writes its shards beside it", async () => {
    const big = randomParams([{ name: "fc6.weight", layer: "fc6", role: "weight", kind: "conv", shape: [7, 7, 64, 512] }], 3);
    const p = tmp("big/weights.json");
    await writeWeights(p, { params: big, meta: {} });
    const shards = (await fsp.readdir(tmp("big"))).filter((f) => f.endsWith(".bin"));
    expect(shards.length).toBe(2); // 6.4 MB
    for (const s of shards) expect((await fsp.stat(tmp(`big/${s}`))).size).toBeLessThanOrEqual(4 * 1024 * 1024);
    expectSameParams((await readWeights(p)).params, big);
  });

  it.each(["keras1", "tf-keras2", "keras3"] as const)("Keras HDF5, %s names (vgg16)", async (naming) => {
    const file = tmp(`vgg16-${naming}.h5`);
    await writeWeights(file, { params: vgg, meta: VGG16_META }, undefined, { kerasNaming: naming });
    const back = await readWeights(file);
    expect(back.format).toBe("keras-h5");
    expectSameParams(back.params, vgg);
    expect(back.meta).toEqual(VGG16_META);
  });

  it("Keras HDF5 of an FCN (score / upsampling layers under their own names)", async () => {
    await writeWeights(tmp("fcn8s.h5"), { params: fcn, meta: FCN8S_META });
    const back = await readWeights(tmp("fcn8s.h5"));
    expectSameParams(back.params, fcn);
    expect(back.meta).toEqual(FCN8S_META);
  });

  it("Keras _notop file: no fc1 / fc2 / predictions, preprocess defaults to Keras'", async () => {
    const notop = without(vgg, (n) => n.startsWith("fc"));
    const file = tmp("vgg16_notop.h5");
    await writeWeights(file, { params: notop, meta: {} }, "keras-h5", { kerasNaming: "keras1" });
    const layerNames = await openH5(file, (h) => h.attrs["layer_names"]!.value as string[]);
    expect(layerNames).toEqual([
      "input_1", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
      "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool", "block4_conv1", "block4_conv2", "block4_conv3",
      "block4_pool", "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool",
    ]);
    const back = await readWeights(file);
    expectSameParams(back.params, notop);
    expect(back.meta).toEqual({ preprocess: KERAS_VGG16_PREPROCESS });
  });

  it("Keras-1 and tf.keras-2 names: datasets where Keras puts them, identical params on load", async () => {
    const k1 = tmp("vgg16-keras1.h5");
    const k2 = tmp("vgg16-tf-keras2.h5");
    await openH5(k1, (h) => {
      expect((h.get("block1_conv1") as Group).attrs["weight_names"]!.value).toEqual(["block1_conv1_W_1:0", "block1_conv1_b_1:0"]);
      expect(h.get("block1_conv1/block1_conv1_W_1:0")).toBeTruthy();
      expect(h.get("fc1/fc1_W_1:0")).toBeTruthy();
      expect(h.get("predictions/predictions_b_1:0")).toBeTruthy();
      // As h5py writes numpy byte-string arrays: fixed-length strings.
      const ln = h.attrs["layer_names"]! as Attribute;
      expect(ln.metadata.vlen).toBe(false);
      expect((h.get("block1_pool") as Group).attrs["weight_names"]!.shape).toEqual([0]);
    });
    await openH5(k2, (h) => {
      expect((h.get("fc1") as Group).attrs["weight_names"]!.value).toEqual(["fc1/kernel:0", "fc1/bias:0"]);
      expect(h.get("block1_conv1/block1_conv1/kernel:0")).toBeTruthy();
    });
    expectSameParams((await readWeights(k1)).params, (await readWeights(k2)).params);
  });

  it("Keras HDF5 read in small slices equals a whole read", async () => {
    const file = tmp("vgg16-tf-keras2.h5");
    const sliced = await readKerasH5(file, { chunkBytes: 1000 });
    expectSameParams(sliced.params, vgg);
  });
});

// ---------- layouts against naive index computations ----------

describe("layouts", () => {
  const fcn = randomParams(FCN8S_SPECS, 11);
  const vgg = randomParams(VGG16_SPECS, 12);

  it("safetensors holds PyTorch layout: conv [o][i][h][w] = tfjs [h][w][i][o], deconv [i][o][h][w] = tfjs [h][w][o][i]", async () => {
    const file = tmp("layout.safetensors");
    await writeWeights(file, { params: fcn, meta: {} });
    const raw = parseSafetensors(await fsp.readFile(file));
    const conv = fcn.get("conv2_1.weight")!; // [3, 3, 4, 8]
    const t = raw.get("conv2_1.weight")!;
    expect(t.dtype).toBe("F32");
    expect(t.shape).toEqual([8, 4, 3, 3]);
    for (let o = 0; o < 8; o++)
      for (let i = 0; i < 4; i++)
        for (let h = 0; h < 3; h++)
          for (let w = 0; w < 3; w++) expect(t.data[idx4(t.shape, o, i, h, w)]).toBe(conv.data[idx4(conv.shape, h, w, i, o)]);

    const up = fcn.get("upscore2.weight")!; // tfjs [4, 4, out, in]
    const u = raw.get("upscore2.weight")!;
    expect(u.shape).toEqual([up.shape[3], up.shape[2], 4, 4]);
    for (let i = 0; i < up.shape[3]!; i++)
      for (let o = 0; o < up.shape[2]!; o++)
        for (let h = 0; h < 4; h++) for (let w = 0; w < 4; w++) expect(u.data[idx4(u.shape, i, o, h, w)]).toBe(up.data[idx4(up.shape, h, w, o, i)]);
    expect(raw.get("fc6.weight")!.shape).toEqual([256, 32, 7, 7]);
    expect(raw.get("score_fr.bias")!.data).toEqual(fcn.get("score_fr.bias")!.data);
  });

  /** A torchvision-like file: conv OIHW, fc layers as Linear (out, in) over CHW-flattened inputs. */
  function torchStyleTensors(names: (caffe: string) => string): [string, string, number[], Uint8Array][] {
    const out: [string, string, number[], Uint8Array][] = [];
    for (const [name, t] of vgg) {
      const layer = name.split(".")[0]!;
      const role = name.split(".")[1]!;
      const v = t.shape.length === 1 ? t : layer.startsWith("fc") ? naiveTorchLinear(t) : naiveTorchFromTfjs(t);
      out.push([`${names(layer)}.${role}`, "F32", [...v.shape], f32bytes(v.data)]);
    }
    return out;
  }

  it("PyTorch Linear fc6 (out, C*k*k), element [o][c*k*k + h*k + w], reads as the tfjs 7x7 kernel", async () => {
    const file = tmp("linear.safetensors");
    const tensors = torchStyleTensors((l) => l);
    expect(tensors.find((t) => t[0] === "fc6.weight")![2]).toEqual([256, 32 * 7 * 7]);
    await fsp.writeFile(file, encodeSafetensors(tensors, { format: "pt" }));
    const back = await readWeights(file);
    expectSameParams(back.params, vgg);
    expect(back.meta).toEqual({});
  });

  it("torchvision names (features.N, classifier.N) map to the Caffe layers, with torchvision's preprocessing", async () => {
    const tv: Record<string, string> = { fc6: "classifier.0", fc7: "classifier.3", fc8: "classifier.6" };
    const convIdx = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28];
    const convs = VGG16_SPECS.filter((s) => s.role === "weight" && s.layer.startsWith("conv")).map((s) => s.layer);
    convs.forEach((c, i) => (tv[c] = `features.${convIdx[i]}`));
    const file = tmp("torchvision.safetensors");
    await fsp.writeFile(file, encodeSafetensors(torchStyleTensors((l) => tv[l]!)));
    const back = await readWeights(file);
    expectSameParams(back.params, vgg);
    expect(back.meta.preprocess).toEqual(TORCHVISION_PREPROCESS);
  });

  it("Keras fc1 (k*k*C, out): element [(h*k + w)*C + c][o] = kernel [h][w][c][o]; conv kernels stored HWIO", async () => {
    const file = tmp("layout.h5");
    await writeWeights(file, { params: vgg, meta: {} }, undefined, { kerasNaming: "keras1" });
    const [fc1, conv, fc2] = await openH5(file, (h) =>
      ["fc1/fc1_W_1:0", "block3_conv2/block3_conv2_W_1:0", "fc2/fc2_W_1:0"].map((p) => {
        const d = h.get(p) as Dataset;
        return { shape: d.shape!, data: d.value as Float32Array };
      }),
    );
    const k6 = vgg.get("fc6.weight")!; // [7, 7, 32, 256]
    const C = 32;
    expect(fc1!.shape).toEqual([7 * 7 * C, 256]);
    for (let h = 0; h < 7; h++)
      for (let w = 0; w < 7; w++)
        for (let c = 0; c < C; c++)
          for (let o = 0; o < 256; o += 17) expect(fc1!.data[((h * 7 + w) * C + c) * 256 + o]).toBe(k6.data[idx4(k6.shape, h, w, c, o)]);
    expect(fc2!.shape).toEqual([256, 256]);
    expect(conv!.shape).toEqual(vgg.get("conv3_2.weight")!.shape);
    expect(conv!.data).toEqual(vgg.get("conv3_2.weight")!.data);
  });

  it("torchToTfjs / tfjsToTorch match the naive transpose on shapes that cross the cache tiles", () => {
    const r = rng(13);
    for (const shape of [[37, 45, 3, 2], [70, 1, 1, 1], [1, 65, 2, 3], [33, 33, 4, 4]]) {
      const torch = { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, r) };
      const tfjs = torchToTfjs(torch);
      const [O, I, H, W] = shape as [number, number, number, number];
      expect(tfjs.shape).toEqual([H, W, I, O]);
      for (let o = 0; o < O; o++)
        for (let i = 0; i < I; i++)
          for (let h = 0; h < H; h++)
            for (let w = 0; w < W; w++) expect(tfjs.data[idx4(tfjs.shape, h, w, i, o)]).toBe(torch.data[idx4(shape, o, i, h, w)]);
      expect(tfjsToTorch(tfjs)).toEqual(torch);
    }
  });

  it("a tensorflowjs_converter model.json of Keras' VGG16 (block1_conv1/kernel, flattened fc1) loads", async () => {
    const d = tmp("keras-tfjs");
    await fsp.mkdir(d, { recursive: true });
    const weights: { name: string; shape: number[]; dtype: string }[] = [];
    const chunks: Buffer[] = [];
    for (const [name, t] of vgg) {
      const [caffe, role] = name.split(".") as [string, string];
      const k = caffe.startsWith("conv")
        ? `block${caffe[4]}_conv${caffe[6]}`
        : ({ fc6: "fc1", fc7: "fc2", fc8: "predictions" } as Record<string, string>)[caffe]!;
      const v = role === "weight" && caffe.startsWith("fc") ? naiveKerasDense(t) : t;
      weights.push({ name: `${k}/${role === "weight" ? "kernel" : "bias"}`, shape: [...v.shape], dtype: "float32" });
      chunks.push(Buffer.from(f32bytes(v.data)));
    }
    await fsp.writeFile(path.join(d, "group1-shard1of1.bin"), Buffer.concat(chunks));
    await fsp.writeFile(
      path.join(d, "model.json"),
      JSON.stringify({ format: "layers-model", modelTopology: {}, weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights }] }),
    );
    const back = await readWeights(d);
    expectSameParams(back.params, vgg);
    expect(back.meta.preprocess).toEqual(KERAS_VGG16_PREPROCESS);
  });

  it("a hand-made Keras file (variable-length strings, chunked layer_names, Keras 3 names) loads", async () => {
    const file = tmp("handmade.h5");
    const h = new h5wasm.File(file, "w");
    const layers: string[] = ["input_1"];
    for (const [name, t] of vgg) {
      const [caffe, role] = name.split(".") as [string, string];
      const k = caffe.startsWith("conv")
        ? `block${caffe[4]}_conv${caffe[6]}`
        : ({ fc6: "fc1", fc7: "fc2", fc8: "predictions" } as Record<string, string>)[caffe]!;
      if (!layers.includes(k)) {
        layers.push(k);
        h.create_group(k).create_group(k);
      }
      const v = role === "weight" && caffe.startsWith("fc") ? naiveKerasDense(t) : t;
      (h.get(k) as Group).create_dataset({ name: `${k}/${role === "weight" ? "kernel" : "bias"}`, data: v.data, shape: [...v.shape], dtype: "<f" });
    }
    for (const k of layers.slice(1)) (h.get(k) as Group).create_attribute("weight_names", [`${k}/kernel`, `${k}/bias`]);
    h.create_group("input_1").create_attribute("weight_names", new Float64Array(0), [0], "<d");
    // Keras splits long attribute lists into <name>0, <name>1, ...
    h.create_attribute("layer_names0", layers.slice(0, 5));
    h.create_attribute("layer_names1", layers.slice(5));
    h.close();
    await openH5(file, (r) => expect(r.attrs["layer_names0"]!.metadata.vlen).toBe(true));
    const back = await readWeights(file);
    expectSameParams(back.params, vgg);
    expect(back.meta.preprocess).toEqual(KERAS_VGG16_PREPROCESS);
  });
});

// ---------- half precision ----------

describe("safetensors dtypes", () => {
  it("reads F16 and BF16 biases", async () => {
    // F16: 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]);
    // BF16: 1, -2, 3.140625
    const bf16 = new Uint16Array([0x3f80, 0xc000, 0x4049]);
    const file = tmp("half.safetensors");
    await fsp.writeFile(
      file,
      encodeSafetensors([
        ["a.bias", "F16", [6], new Uint8Array(f16.buffer)],
        ["b.bias", "BF16", [3], new Uint8Array(bf16.buffer)],
      ]),
    );
    const back = await readWeights(file);
    expect([...back.params.get("a.bias")!.data]).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0]);
    expect([...back.params.get("b.bias")!.data]).toEqual([1, -2, 3.140625]);
  });
});

// ---------- check ----------

describe("checkWeights", () => {
  it("accepts matching parameters", () => {
    expect(() => checkWeights(FCN8S_SPECS, randomParams(FCN8S_SPECS, 5))).not.toThrow();
  });

  it("lists every missing, unexpected and mis-shaped tensor in one error", () => {
    const p = randomParams(FCN8S_SPECS, 6);
    p.delete("score_pool3.weight");
    p.delete("score_pool3.bias");
    p.delete("upscore8.weight");
    p.set("fc8.weight", { shape: [1, 1, 256, 5], data: new Float32Array(256 * 5) });
    p.set("conv1_1.weight", { shape: [3, 3, 3, 8], data: new Float32Array(3 * 3 * 3 * 8) });
    p.set("score_fr.bias", { shape: [21], data: new Float32Array(21) });
    let err: unknown;
    try {
      checkWeights(FCN8S_SPECS, p, { format: "safetensors", source: "x.safetensors" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeightsMismatchError);
    const e = err as WeightsMismatchError;
    expect(e.missing).toEqual(["score_pool3.weight", "score_pool3.bias", "upscore8.weight"]);
    expect(e.unexpected).toEqual(["fc8.weight"]);
    expect(e.misshaped).toEqual([
      { name: "conv1_1.weight", expected: [3, 3, 3, 4], found: [3, 3, 3, 8] },
      { name: "score_fr.bias", expected: [5], found: [21] },
    ]);
    expect(e.message).toContain("x.safetensors");
    expect(e.message).toContain("score_pool3.weight [1, 1, 16, 5]");
    expect(e.message).toContain("upscore8.weight [16, 16, 5, 5]");
    expect(e.message).toContain("fc8.weight [1, 1, 256, 5]");
    expect(e.message).toContain("conv1_1.weight: expected [3, 3, 3, 4], found [3, 3, 3, 8]");
    expect(e.message).toContain("PyTorch layout: expected (4, 3, 3, 3), found (8, 3, 3, 3)");
    expect(e.message).toContain("score_fr.bias: expected [5], found [21]");
    // Guessed from the kernels: conv1_1 has 8 outputs (width 8/64), score_fr 5; no score_pool3: fcn16s.
    expect(e.message).toMatch(/Hint: the file looks like fcn16s \(width 1\/8, 5 classes\); the model is fcn8s \(width 1\/16, 5 classes\)\.$/);
  });

  it("allowUnexpected tolerates named tensors or whole layers", () => {
    const p = randomParams(FCN8S_SPECS, 7);
    p.set("fc8.weight", { shape: [1], data: new Float32Array(1) });
    p.set("fc8.bias", { shape: [1], data: new Float32Array(1) });
    expect(() => checkWeights(FCN8S_SPECS, p, { allowUnexpected: ["fc8"] })).not.toThrow();
    expect(() => checkWeights(FCN8S_SPECS, p, { allowUnexpected: ["fc8.weight"] })).toThrow(/unexpected \(1\):\n {4}fc8\.bias/);
  });

  it("allowMissing tolerates absent tensors (a _notop file seeding an FCN), but not mis-shaped ones", () => {
    const notop = without(randomParams(VGG16_SPECS, 14), (n) => n.startsWith("fc8."));
    expect(() => checkWeights(VGG16_SPECS, notop, { allowMissing: ["fc8"] })).not.toThrow();
    expect(() => checkWeights(VGG16_SPECS, notop, { allowMissing: ["fc8.bias"] })).toThrow(/missing \(1\):\n {4}fc8\.weight/);
    notop.set("fc8.bias", { shape: [3], data: new Float32Array(3) });
    expect(() => checkWeights(VGG16_SPECS, notop, { allowMissing: ["fc8"] })).toThrow(/fc8\.bias: expected \[7\], found \[3\]/);
  });

  it("hints that VGG16 weights are not an FCN, with Keras Dense shapes for a Keras file", () => {
    const vgg = randomParams(paramSpecs(modelSpec("vgg16", { width: 1 / 16, classes: 5 })), 8);
    vgg.set("fc6.weight", { shape: [7, 7, 32, 128], data: new Float32Array(7 * 7 * 32 * 128) });
    expect(() => checkWeights(FCN8S_SPECS, vgg, { format: "keras-h5" })).toThrow(
      /Keras Dense kernel: expected \(1568, 256\), found \(1568, 128\)[\s\S]*looks like vgg16 \(width 1\/16, 5 classes\)[\s\S]*no score or upsampling layers/,
    );
  });

  it("inferWeightsConfig", () => {
    const of = (name: string, o: { width: number; classes: number }) =>
      inferWeightsConfig(new Map(paramSpecs(modelSpec(name, o)).map((s) => [s.name, s])));
    expect(of("fcn8s", { width: 1 / 16, classes: 5 })).toEqual({ model: "fcn8s", width: 1 / 16, classes: 5 });
    expect(of("fcn16s", { width: 1 / 8, classes: 21 })).toEqual({ model: "fcn16s", width: 1 / 8, classes: 21 });
    expect(of("fcn32s", { width: 1, classes: 3 })).toEqual({ model: "fcn32s", width: 1, classes: 3 });
    expect(of("vgg16", { width: 1 / 4, classes: 1000 })).toEqual({ model: "vgg16", width: 1 / 4, classes: 1000 });
    expect(of("vgg16-fcn", { width: 1 / 4, classes: 10 })).toEqual({ model: "vgg16", width: 1 / 4, classes: 10 });
    expect(inferWeightsConfig(new Map())).toEqual({});
  });
});

// ---------- wrong and missing files ----------

describe("errors", () => {
  it("a PNG given as weights", async () => {
    const png = new PNG({ width: 4, height: 4 });
    const file = tmp("cat.png");
    await fsp.writeFile(file, PNG.sync.write(png));
    const err = await readWeights(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsFileError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/PNG image/);
    expect((err as Error).message).toMatch(/safetensors.*Keras HDF5.*tfjs/);
  });

  it("random bytes", async () => {
    const r = rng(9);
    const bytes = new Uint8Array(5000).map(() => Math.floor(r() * 256));
    const file = tmp("noise.bin");
    await fsp.writeFile(file, bytes);
    await expect(readWeights(file)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not a weights file this tool reads\\. Accepted: safetensors`));
  });

  it("a missing file", async () => {
    const file = tmp("nope/weights.safetensors");
    const err = await readWeights(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsFileError);
    expect((err as Error).message).toBe(`weights file not found: ${file}`);
  });

  it("a directory without model.json, an HDF5 file that is not Keras, a truncated safetensors file", async () => {
    await fsp.mkdir(tmp("empty-dir"), { recursive: true });
    await expect(readWeights(tmp("empty-dir"))).rejects.toThrow(/is a directory without a model\.json/);

    const h = new h5wasm.File(tmp("other.h5"), "w");
    h.create_dataset({ name: "x", data: new Float32Array([1, 2]) });
    h.close();
    await expect(readWeights(tmp("other.h5"))).rejects.toThrow(/an HDF5 file, but not a Keras weights file/);

    const full = await fsp.readFile(tmp("fcn8s.safetensors"));
    await fsp.writeFile(tmp("cut.safetensors"), full.subarray(0, full.length - 100));
    await expect(readWeights(tmp("cut.safetensors"))).rejects.toThrow(/cut\.safetensors: tensor ".*": data_offsets end \d+ is past the end/);
  });

  it("bad metadata names its key", async () => {
    const file = tmp("badmeta.safetensors");
    await fsp.writeFile(file, encodeSafetensors([["x.bias", "F32", [1], new Uint8Array(4)]], { "fcn_viz.model": "fcn4s" }));
    await expect(readWeights(file)).rejects.toThrow(/model "fcn4s" is not one of vgg16/);
  });

  it("writeWeights with an unknown extension", async () => {
    await expect(writeWeights(tmp("w.pth"), { params: new Map(), meta: {} })).rejects.toThrow(/cannot tell the weights format/);
  });
});

// ---------- tensors ----------

describe("toTensors / fromTensors", () => {
  it("round-trips without leaking tensors", async () => {
    const p = randomParams(FCN8S_SPECS, 10);
    const before = tf.memory().numTensors;
    const ts = toTensors(p);
    expect(ts.get("fc6.weight")!.shape).toEqual([7, 7, 32, 256]);
    const back = await fromTensors(ts);
    for (const t of ts.values()) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expectSameParams(back, p);
  });
});
