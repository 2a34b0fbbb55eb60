/**
 * The class-name lists against their sources, the order classNamesFor looks for names
 * in, and `segment` naming VGG16's top-5 classes for real weights only.
 * Expected values are typed from the sources, not from the lists:
 *   PASCAL VOC: ../shared/REFERENCE.md, "PASCAL VOC".
 *   ImageNet: the line numbers (from 0) of Caffe's data/ilsvrc12/synset_words.txt,
 *     the class-index order of Caffe's and Keras' VGG16 (n01440764 first, n15075141 last).
 *   PASCAL-Context: data/pascal-context/classes-59.txt of shelhamer/fcn.berkeleyvision.org
 *     ("0: background" ... "59: wood").
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
import { IMAGENET_CLASS_NAMES } from "../core/class-names/imagenet.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
import { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
import { classNamesFor } from "../src/classes.js";
import * as lib from "../src/index.js";
import { main } from "../src/cli.js";
import { writeNpy } from "../src/io/npy.js";
import { modelSpec } from "../src/models/index.js";
import { paramSpecs } from "../src/net/params.js";
import { writeWeights, type HostParams, type WeightsMeta } from "../src/weights/index.js";
import * as viz from "../viz/index.js";

const VOC_REFERENCE =
  "background, aeroplane, bicycle, bird, boat, bottle, bus, car, cat, chair, cow, diningtable, dog, horse, motorbike, person, pottedplant, sheep, sofa, train, tvmonitor";

/** synset_words.txt: line number -> the text after the WordNet id. */
const SYNSET_WORDS: Record<number, string> = {
  0: "tench, Tinca tinca",
  1: "goldfish, Carassius auratus",
  107: "jellyfish",
  134: "crane", // the bird, n02012849
  281: "tabby, tabby cat",
  285: "Egyptian cat",
  340: "zebra",
  409: "analog clock",
  417: "balloon",
  517: "crane", // the machine, n03126707
  638: "maillot",
  639: "maillot, tank suit",
  999: "toilet tissue, toilet paper, bathroom tissue",
};

describe("the class-name lists", () => {
  it("PASCAL VOC: the 21 of REFERENCE.md, in its order (15 = person); the library and viz export the same list", () => {
    expect(VOC_CLASS_NAMES).toEqual(VOC_REFERENCE.split(", "));
    expect(VOC_CLASS_NAMES[15]).toBe("person");
    expect(lib.VOC_CLASS_NAMES).toBe(VOC_CLASS_NAMES);
    expect(viz.VOC_CLASS_NAMES).toBe(VOC_CLASS_NAMES);
  });

  it("ImageNet: 1000 names in Caffe's synset_words.txt order", () => {
    expect(IMAGENET_CLASS_NAMES).toHaveLength(1000);
    for (const [i, name] of Object.entries(SYNSET_WORDS)) expect(IMAGENET_CLASS_NAMES[Number(i)], `index ${i}`).toBe(name);
    expect(IMAGENET_CLASS_NAMES.every((n) => n.trim().length > 0)).toBe(true);
  });

  it("PASCAL-Context: background + the 59 of classes-59.txt, whose first 20 are VOC's objects", () => {
    expect(PASCAL_CONTEXT_CLASS_NAMES).toHaveLength(60);
    expect(PASCAL_CONTEXT_CLASS_NAMES.slice(0, 21)).toEqual(VOC_REFERENCE.split(", "));
    expect(PASCAL_CONTEXT_CLASS_NAMES[21]).toBe("bag");
    expect(PASCAL_CONTEXT_CLASS_NAMES[52]).toBe("bedcloth");
    expect(PASCAL_CONTEXT_CLASS_NAMES[59]).toBe("wood");
  });

  it("digits: background, then digit 0..9; all lists are exported from the library", () => {
    expect(DIGIT_CLASS_NAMES).toEqual(["background", "digit 0", "digit 1", "digit 2", "digit 3", "digit 4", "digit 5", "digit 6", "digit 7", "digit 8", "digit 9"]);
    expect(lib.IMAGENET_CLASS_NAMES).toBe(IMAGENET_CLASS_NAMES);
    expect(lib.PASCAL_CONTEXT_CLASS_NAMES).toBe(PASCAL_CONTEXT_CLASS_NAMES);
    expect(lib.classNamesFor).toBe(classNamesFor);
  });
});

describe("classNamesFor: the weights' names, then the notes keys, then the class count", () => {
  const sky = ["sky", "road", "car"];

  it("meta.classNames comes first, over the notes keys", () => {
    const meta: WeightsMeta = { classNames: sky, notes: { class_names: '["a", "b", "c"]' } };
    expect(classNamesFor(3, meta)).toEqual({ names: sky, source: "the weights' metadata" });
  });

  it("notes keys written by other tools still name classes", () => {
    expect(classNamesFor(3, { notes: { labels: "x, y, z" } })).toEqual({ names: ["x", "y", "z"], source: "the weights' metadata (notes.labels)" });
  });

  it("names for another head are set aside, and the page is told (VGG16's ImageNet names on a 21-class FCN)", () => {
    const r = classNamesFor(21, { classNames: IMAGENET_CLASS_NAMES });
    expect(r.names).toEqual(VOC_REFERENCE.split(", "));
    expect(r.source).toMatch(/^PASCAL VOC .*from the class count; the weights' metadata names 1000 classes, the model scores 21, so those names were ignored$/);
    const viaNotes = classNamesFor(3, { classNames: ["a", "b"], notes: { class_names: JSON.stringify(sky) } });
    expect(viaNotes.names).toEqual(sky);
  });

  it("by count: 21 VOC, 60 PASCAL-Context, 1000 ImageNet, 11 digits, each said to be a guess", () => {
    const cases: [number, string, string][] = [
      [21, "person", "PASCAL VOC"],
      [60, "wood", "PASCAL-Context"],
      [1000, "tabby, tabby cat", "ImageNet"],
      [11, "digit 9", "digits"],
    ];
    for (const [n, someName, dataset] of cases) {
      const r = classNamesFor(n);
      expect(r.names).toHaveLength(n);
      expect(r.names).toContain(someName);
      expect(r.source).toContain(dataset);
      expect(r.source).toContain("from the class count");
    }
  });

  it("any other count: numbered", () => {
    expect(classNamesFor(4)).toEqual({ names: ["class 0", "class 1", "class 2", "class 3"], source: "4 unnamed classes" });
  });
});

describe("segment names VGG16's top-5 classes", () => {
  let dir = "";
  /** VGG16 the classifier takes exactly 224 x 224 (an array, already preprocessed). */
  let input = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fcn-viz-classes-"));
    input = join(dir, "input.npy");
    await writeFile(input, writeNpy([224, 224, 3], new Float32Array(224 * 224 * 3).fill(1)));
  });
  afterEach(() => vi.restoreAllMocks());

  async function cli(...args: string[]) {
    let err = "";
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
    const code = await main(args);
    vi.restoreAllMocks();
    return { code, err };
  }

  /**
   * A real (not random) VGG16 whose every weight is zero: each ReLU passes 0, so the
   * logits are fc8's bias, whatever the image. The bias puts the listed classes on top.
   */
  async function vgg16File(name: string, classes: number, top: Record<number, number>, meta: WeightsMeta = {}): Promise<string> {
    const params: HostParams = new Map();
    for (const p of paramSpecs(modelSpec("vgg16", { width: 1 / 32, classes }))) {
      const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
      if (p.name === "fc8.bias") for (const [c, v] of Object.entries(top)) data[Number(c)] = v;
      params.set(p.name, { shape: p.shape, data });
    }
    const file = join(dir, name);
    await writeWeights(file, { params, meta: { model: "vgg16", ...meta } });
    return file;
  }

  it("ImageNet's names from the class count: '281 tabby, tabby cat (5.00)'", async () => {
    await tf.setBackend("cpu");
    const file = await vgg16File("vgg16-zero.safetensors", 1000, { 281: 5, 285: 4, 340: 3, 409: 2, 417: 1 });
    const r = await cli("segment", input, "--model", "vgg16", "--weights", file, "--backend", "cpu");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/logits: 1x1 grid of 1000 classes \(names: ImageNet .*from the class count\)/);
    expect(r.err).toContain(
      "top 5: 281 tabby, tabby cat (5.00), 285 Egyptian cat (4.00), 340 zebra (3.00), 409 analog clock (2.00), 417 balloon (1.00)",
    );
  });

  it("the weights' own names when they carry them", async () => {
    const file = await vgg16File("vgg16-named.safetensors", 3, { 2: 1 }, { classNames: ["sky", "road", "car"] });
    const r = await cli("segment", input, "--model", "vgg16", "--weights", file, "--backend", "cpu");
    expect(r.code).toBe(0);
    expect(r.err).toContain("(names: the weights' metadata)");
    expect(r.err).toContain("top 5: 2 car (1.00), ");
  });

  it("random weights keep the indices: a name would suggest a meaning", async () => {
    const r = await cli("segment", input, "--model", "vgg16", "--weights", "random", "--width", "1/32", "--backend", "cpu");
    expect(r.code).toBe(0);
    const line = /top 5: (.*)/.exec(r.err)![1]!;
    expect(line).toMatch(/^\d+ \(-?\d+\.\d\d\)(, \d+ \(-?\d+\.\d\d\)){4}$/);
    expect(r.err).not.toContain("names:");
  });
});
