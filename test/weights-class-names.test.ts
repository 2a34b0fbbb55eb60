/**
 * Class names carried by the weights (WeightsMeta.classNames): stored in each writable
 * format under the project's key, read back unchanged, carried by `convert`, and
 * rejected with a message naming the problem when they do not fit.
 */
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { IMAGENET_CLASS_NAMES } from "../core/class-names/imagenet.js";
import { main } from "../src/cli.js";
import { modelSpec } from "../src/models/index.js";
import { paramSpecs } from "../src/net/params.js";
import {
  readSafetensorsRaw,
  readWeights,
  readWeightsBytes,
  writeKerasH5,
  writeSafetensorsRaw,
  writeSafetensorsWeights,
  writeWeights,
  type HostParams,
  type WeightsFormat,
  type WeightsMeta,
} from "../src/weights/index.js";
import { writeTfjsWeights } from "../src/weights/files.js";

const NAMES = ["sky", "road", "car"];

/** Small deterministic parameters of `model` (values do not matter here, shapes do). */
function params(model: "fcn32s" | "vgg16", classes: number): HostParams {
  const out: HostParams = new Map();
  let s = 1;
  for (const p of paramSpecs(modelSpec(model, { width: 1 / 32, classes }))) {
    const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = ((s = (s * 69069 + 1) >>> 0) / 2 ** 32) - 0.5;
    out.set(p.name, { shape: p.shape, data });
  }
  return out;
}

const FCN = params("fcn32s", 3);
const FORMATS: [WeightsFormat, string][] = [
  ["safetensors", "w.safetensors"],
  ["keras-h5", "w.h5"],
  ["tfjs", "w-tfjs"],
];

let dir = "";
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "fcn-viz-names-"));
});
afterEach(() => vi.restoreAllMocks());

describe("class names round-trip through every writable format", () => {
  for (const [format, name] of FORMATS) {
    it(`${format}: three names with the class count`, async () => {
      const p = path.join(dir, `fcn-${name}`);
      await writeWeights(p, { params: FCN, meta: { model: "fcn32s", classes: 3, classNames: NAMES } }, format);
      const back = await readWeights(p);
      expect(back.format).toBe(format);
      expect(back.meta.classNames).toEqual(NAMES);
      expect(back.meta.classes).toBe(3);
    });

    it(`${format}: ImageNet's 1000 names (commas, apostrophes, a repeated "crane") on a VGG16`, async () => {
      const p = path.join(dir, `vgg-${name}`);
      await writeWeights(p, { params: params("vgg16", 1000), meta: { model: "vgg16", classNames: IMAGENET_CLASS_NAMES } }, format);
      expect((await readWeights(p)).meta.classNames).toEqual(IMAGENET_CLASS_NAMES);
    });
  }

  it("safetensors stores them as a JSON list under fcn_viz.class_names", async () => {
    const raw = await readSafetensorsRaw(path.join(dir, "fcn-w.safetensors"));
    expect(JSON.parse(raw.metadata["fcn_viz.class_names"]!)).toEqual(NAMES);
  });

  it("tfjs stores them in model.json's fcnViz.classNames", async () => {
    const json = JSON.parse(await fsp.readFile(path.join(dir, "fcn-w-tfjs", "model.json"), "utf8"));
    expect(json.fcnViz.classNames).toEqual(NAMES);
  });

  it("from memory too (the explorer's way in)", async () => {
    const bytes = new Uint8Array(await fsp.readFile(path.join(dir, "fcn-w.h5")));
    expect((await readWeightsBytes({ name: "w.h5", bytes })).meta.classNames).toEqual(NAMES);
  });

  it("fcn-viz convert carries them from one format to another", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const to = path.join(dir, "converted.h5");
    expect(await main(["convert", path.join(dir, "fcn-w-tfjs"), to])).toBe(0);
    vi.restoreAllMocks();
    expect((await readWeights(to)).meta.classNames).toEqual(NAMES);
  });
});

describe("class names that do not fit are refused with the reason", () => {
  /** A safetensors file of FCN whose metadata has `extra` on top of what writeWeights stores. */
  async function withMetadata(name: string, extra: Record<string, string>): Promise<string> {
    const ok = path.join(dir, "plain.safetensors");
    await writeWeights(ok, { params: FCN, meta: { model: "fcn32s" } });
    const raw = await readSafetensorsRaw(ok);
    const p = path.join(dir, name);
    await writeSafetensorsRaw(p, raw.tensors, { ...raw.metadata, ...extra });
    return p;
  }

  const bad: [string, Record<string, string>, RegExp][] = [
    ["not JSON", { "fcn_viz.class_names": "sky, road, car" }, /metadata fcn_viz\.class_names is not valid JSON/],
    ["not a list", { "fcn_viz.class_names": '{"0": "sky"}' }, /classNames \(fcn_viz\.class_names\) must be a non-empty list of class names/],
    ["empty", { "fcn_viz.class_names": "[]" }, /must be a non-empty list/],
    ["a blank name", { "fcn_viz.class_names": '["sky", " ", "car"]' }, /item 1 is " ": every class needs a name/],
    ["a number", { "fcn_viz.class_names": '["sky", 2, "car"]' }, /item 1 is 2: every class needs a name/],
    ["another count than classes", { "fcn_viz.classes": "3", "fcn_viz.class_names": '["sky", "road"]' }, /lists 2 names but classes says 3/],
    ["another count than the tensors", { "fcn_viz.class_names": '["sky", "road"]' }, /names 2 classes \(classNames\) but the weights score 3/],
  ];
  for (const [what, extra, message] of bad) {
    it(`safetensors, ${what}`, async () => {
      const p = await withMetadata(`bad-${what.replace(/\W+/g, "-")}.safetensors`, extra);
      const e = await readWeights(p).then(() => null, (x: Error) => x);
      expect(e?.message).toMatch(message);
      expect(e?.message).toContain(p); // names the file
    });
  }

  it("Keras HDF5 and tfjs check the count against the tensors as well", async () => {
    const meta: WeightsMeta = { model: "fcn32s", classNames: ["sky", "road"] };
    // The format writers themselves do not check (writeWeights does): this makes the bad files.
    await writeKerasH5(path.join(dir, "bad.h5"), { params: FCN, meta });
    await writeTfjsWeights(path.join(dir, "bad-tfjs"), { params: FCN, meta });
    await writeSafetensorsWeights(path.join(dir, "bad2.safetensors"), { params: FCN, meta });
    for (const p of ["bad.h5", "bad-tfjs", "bad2.safetensors"]) {
      await expect(readWeights(path.join(dir, p)), p).rejects.toThrow(/names 2 classes \(classNames\) but the weights score 3: give one name per class/);
    }
  });

  it("tfjs model.json: classNames must be strings", async () => {
    const d = path.join(dir, "bad-json-tfjs");
    await writeWeights(d, { params: FCN, meta: { model: "fcn32s" } }, "tfjs");
    const jsonPath = path.join(d, "model.json");
    const json = JSON.parse(await fsp.readFile(jsonPath, "utf8"));
    json.fcnViz.classNames = [0, 1, 2];
    await fsp.writeFile(jsonPath, JSON.stringify(json));
    await expect(readWeights(d)).rejects.toThrow(/item 0 is 0: every class needs a name/);
  });

  it("writeWeights refuses to write names that do not fit, in any format", async () => {
    for (const [format, name] of FORMATS) {
      const p = path.join(dir, `refused-${name}`);
      await expect(writeWeights(p, { params: FCN, meta: { classNames: ["sky"] } }, format), format).rejects.toThrow(/names 1 classes \(classNames\) but the weights score 3/);
      await expect(fsp.stat(p), format).rejects.toThrow(/ENOENT/);
      await expect(writeWeights(p, { params: FCN, meta: { model: "fcn32s", classes: 3, classNames: ["sky", ""] } }, format), format).rejects.toThrow(/item 1 is "": every class needs a name/);
    }
  });
});
