/**
 * readWeightsBytes (weights from memory, the browser's way in) gives exactly what
 * readWeights gives for the same file on disk, in every format, and says what is wrong
 * when the files given are not a weights set.
 */
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelSpec } from "../src/models/index.js";
import { paramSpecs } from "../src/net/params.js";
import { CAFFE_FCN_PREPROCESS } from "../src/preprocess.js";
import { readWeights, readWeightsBytes, writeWeights, type HostParams, type WeightsFile, type WeightsMeta } from "../src/weights/index.js";

const SPECS = paramSpecs(modelSpec("fcn8s", { width: 1 / 16, classes: 11 }));
const META: WeightsMeta = {
  model: "fcn8s",
  classes: 11,
  width: 1 / 16,
  preprocess: CAFFE_FCN_PREPROCESS,
  notes: { class_names: JSON.stringify(["background", ..."0123456789"]) },
};

function params(): HostParams {
  let s = 7;
  const out: HostParams = new Map();
  for (const p of SPECS) {
    const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = s / 2 ** 32 - 0.5;
    }
    out.set(p.name, { shape: p.shape, data });
  }
  return out;
}

function same(a: WeightsFile, b: WeightsFile): void {
  expect(b.format).toBe(a.format);
  expect(b.meta).toEqual(a.meta);
  expect([...b.params.keys()].sort()).toEqual([...a.params.keys()].sort());
  for (const [name, t] of a.params) {
    const u = b.params.get(name)!;
    expect(u.shape, name).toEqual(t.shape);
    expect(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), name).toBe(true);
  }
}

const file = async (p: string) => ({ name: path.basename(p), bytes: new Uint8Array(await fsp.readFile(p)) });

let dir = "";
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "fcn-viz-bytes-"));
  const w = { params: params(), meta: META };
  await writeWeights(path.join(dir, "w.safetensors"), w);
  await writeWeights(path.join(dir, "w.h5"), w);
  await writeWeights(path.join(dir, "k1.h5"), w, "keras-h5", { kerasNaming: "keras1" });
  // Small shards, so weights straddle shard boundaries.
  await writeWeights(path.join(dir, "tfjs"), w, "tfjs", { shardBytes: 400_000 });
});
afterAll(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe("readWeightsBytes", () => {
  it("reads safetensors like readWeights", async () => {
    const p = path.join(dir, "w.safetensors");
    const got = await readWeightsBytes(await file(p));
    same(await readWeights(p), got);
    expect(got.source).toBe("w.safetensors");
    expect(JSON.parse(got.meta.notes!.class_names!)).toHaveLength(11);
  });

  it("reads safetensors from a view at an unaligned offset", async () => {
    const p = path.join(dir, "w.safetensors");
    const raw = await fsp.readFile(p);
    const big = new Uint8Array(raw.length + 3);
    big.set(raw, 3);
    same(await readWeights(p), await readWeightsBytes({ name: "w.safetensors", bytes: big.subarray(3) }));
  });

  it("reads Keras HDF5 (tf.keras 2 and Keras 1 naming) like readWeights", async () => {
    for (const n of ["w.h5", "k1.h5"]) {
      const p = path.join(dir, n);
      same(await readWeights(p), await readWeightsBytes(await file(p)));
    }
  });

  it("reads a tfjs model.json with its shards given in any order", async () => {
    const d = path.join(dir, "tfjs");
    const names = (await fsp.readdir(d)).sort().reverse();
    expect(names.filter((n) => n.endsWith(".bin")).length).toBeGreaterThan(3);
    const files = await Promise.all(names.map((n) => file(path.join(d, n))));
    const got = await readWeightsBytes(files);
    same(await readWeights(d), got);
    expect(got.source).toBe("model.json");
  });

  it("names the missing shard, a lone shard set, and non-weights files", async () => {
    const d = path.join(dir, "tfjs");
    const files = await Promise.all((await fsp.readdir(d)).sort().map((n) => file(path.join(d, n))));
    const bins = files.filter((f) => f.name.endsWith(".bin"));
    const json = files.find((f) => f.name === "model.json")!;
    await expect(readWeightsBytes([json, ...bins.filter((b) => !/^group1-shard1of/.test(b.name))])).rejects.toThrow(
      /needs the shard "group1-shard1of\d+\.bin", which is not among the files given/,
    );
    await expect(readWeightsBytes(bins)).rejects.toThrow(/needs exactly one model\.json/);
    const png = { name: "cat.png", bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) };
    await expect(readWeightsBytes(png)).rejects.toThrow(/cat\.png is not a weights file this tool reads \(it is a PNG image\)/);
    await expect(readWeightsBytes([])).rejects.toThrow(/no weights file given/);
  });
});
