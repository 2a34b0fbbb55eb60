/**
 * The explorer's controller (explorer/controller/) in Node, without a DOM or a browser:
 * the URL's options, the menus and first choices a manifest gives, and the state after
 * each action (start, run, hover, pin, the figures' class, another model, dropped files,
 * a file that is not weights, a picker closed without a file). The environment is the
 * test's: files from memory instead of fetch, the library's PNG decoder, tfjs's cpu
 * backend instead of the page's GPU one. Every pass is small (width 1/16, 64 px).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { decodeImage, modelSpec, randomParams, useBackend } from "../src/index.js";
import { encodePng } from "../core/png.js";
import { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
import type { HostParams } from "../src/weights/types.js";
import { ExplorerController, type ExplorerEnv } from "../explorer/controller/controller.js";
import { initialChoices, menuText, PICK_FILE, weightsMenu } from "../explorer/controller/choices.js";
import { parseOptions } from "../explorer/controller/options.js";
import type { ExplorerState } from "../explorer/controller/state.js";
import { defaultClass } from "../explorer/figures.js";
import type { Manifest, ManifestPublished } from "../explorer/manifest.js";
import { caffemodelBytes } from "./support/caffemodel.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CHELSEA = new Uint8Array(fs.readFileSync(path.join(ROOT, "sample-images", "chelsea.png")));

/** A digit scene as the digit models see them: grey strokes on black. */
function digitScene(): Uint8Array {
  const w = 48;
  const h = 40;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 10; y < 30; y++) for (let x = 20; x < 24; x++) rgb.fill(200, 3 * (y * w + x), 3 * (y * w + x) + 3);
  return encodePng(w, h, rgb);
}

const published = (name: string, model: string, classes: number, classNames: readonly string[]): ManifestPublished => ({
  name,
  description: `${name}: a test net`,
  model,
  classes,
  licence: "test",
  file: `${name}.caffemodel`,
  bytes: 1000,
  url: `published/${name}`,
  classNames,
});

const MANIFEST: Manifest = {
  generated: "test",
  models: [],
  modelCard: null,
  samples: [
    { url: "samples/chelsea.png", name: "chelsea", from: "sample-images" },
    { url: "samples/models/scene.png", name: "scene", from: "models" },
  ],
  wasmPath: "wasm/",
  published: { cacheDir: "/tmp/cache", cached: [published("voc-fcn8s", "fcn8s", 21, VOC_CLASS_NAMES), published("vgg16", "vgg16", 1000, [])] },
};

const TRAINED: Manifest = {
  ...MANIFEST,
  models: [{ url: "models/fcn8s-digits.safetensors", name: "fcn8s-digits", bytes: 1, metadata: { "fcn_viz.model": "fcn8s", "fcn_viz.classes": "11", "fcn_viz.width": "0.03125" } }],
  published: { cacheDir: "/tmp/cache", cached: [] },
};

const SMALL = "width=1/16&classes=5&seed=3&maxSide=64";

/** The test's environment: the page's files from memory, tfjs's cpu backend. */
function testEnv(manifest: Manifest = MANIFEST): ExplorerEnv & { downloads: string[]; backends: string[] } {
  const files = new Map<string, Uint8Array>([
    ["samples/chelsea.png", CHELSEA],
    ["samples/models/scene.png", digitScene()],
  ]);
  const downloads: string[] = [];
  const backends: string[] = [];
  return {
    downloads,
    backends,
    fetch: async (url) => {
      if (url === "./manifest.json") return new Response(JSON.stringify(manifest));
      const bytes = files.get(url);
      return bytes ? new Response(new Uint8Array(bytes)) : new Response("", { status: 404 });
    },
    download: async (url) => {
      downloads.push(url);
      throw new Error(`${url}: no network in this test`);
    },
    decodeImage: async (bytes, name) => decodeImage(bytes, name),
    startBackend: async (choice) => {
      backends.push(choice);
      const info = await useBackend("cpu");
      return { info, detail: "cpu", skipped: [], maxTextureSize: null, maxBufferBytes: null, software: false };
    },
    nextFrame: async () => {},
  };
}

/** The fields of the state that differ between two states. */
function changedKeys(a: ExplorerState, b: ExplorerState): string[] {
  return (Object.keys(b) as (keyof ExplorerState)[]).filter((k) => a[k] !== b[k]);
}

/** A small FCN as a .caffemodel in memory (a file the user could drop). */
function caffemodelFile(model: "fcn16s" | "fcn32s", name: string): File {
  const spec = modelSpec(model, { width: 1 / 16, classes: 5 });
  const params = randomParams(spec, 7);
  const host: HostParams = new Map();
  for (const [k, t] of params) host.set(k, { shape: t.shape, data: t.dataSync() as Float32Array });
  params.forEach((t) => t.dispose());
  return new File([caffemodelBytes(host, { form: "layer", model }) as BlobPart], name);
}

describe("explorer controller: options and menus (pure)", () => {
  test("URL options: fractions, flags, and the old name of the auto backend", () => {
    const o = parseOptions("?width=1/16&classes=5&seed=3&backend=default&maxTexture=512&plan=0&webglConv=direct&autorun=0");
    expect(o.random).toEqual({ kind: "random", width: 1 / 16, classes: 5, seed: 3 });
    expect([o.backend, o.maxTexture, o.plan, o.directConv, o.autorun]).toEqual(["auto", 512, false, true, false]);
    const d = parseOptions("");
    expect(d.random).toEqual({ kind: "random", width: 1 / 8, classes: 21, seed: 0 });
    expect([d.sample, d.model, d.weights, d.backend, d.maxSide, d.maxTexture, d.plan, d.directConv, d.autorun]).toEqual([null, null, null, null, null, null, true, false, true]);
  });

  test("first choices: a cached published net (with a photo) before trained or random weights; what the URL asks for, or why not", () => {
    const start = { model: "fcn8s", backend: "auto", maxSide: "500" } as const;
    const first = (q: string, m = MANIFEST) => initialChoices(m, parseOptions(q), start);
    expect(first("")).toMatchObject({ model: "fcn8s", weights: "published:voc-fcn8s", sample: "samples/chelsea.png", backend: "auto", maxSide: "500", notes: [] });
    expect(first("weights=voc-fcn8s&model=fcn32s")).toMatchObject({ model: "fcn32s", weights: "published:voc-fcn8s" });
    expect(first("weights=random&sample=scene&backend=wasm&maxSide=96")).toMatchObject({ weights: "random", sample: "samples/models/scene.png", backend: "wasm", maxSide: "96" });
    expect(first("maxSide=96").maxSides.at(-1)).toBe("96");
    expect(first("weights=vgg16").notes).toEqual(["vgg16 is not an FCN (vgg16: a test net): the explorer runs FCN-32s, 16s and 8s."]);
    expect(first("weights=nope").notes).toEqual(["weights=nope: no such weights here (published nets: published:voc-fcn8s; trained: none; or random)."]);
    expect(first("weights=pascalcontext-fcn8s").notes[0]).toMatch(/^pascalcontext-fcn8s is not in the weights cache \(\/tmp\/cache\): npx fcn-viz fetch pascalcontext-fcn8s \(.*\) gets it; then reload\.$/);
    // No published net: the project's trained digit model, on a digit scene.
    expect(first("", TRAINED)).toMatchObject({ model: "fcn8s", weights: "project:models/fcn8s-digits.safetensors", sample: "samples/models/scene.png" });
    expect(first("weights=project&model=fcn16s", TRAINED)).toMatchObject({ model: "fcn16s", weights: "project:models/fcn8s-digits.safetensors" });
  });

  test("the weights menu: published nets (or how to get one), trained models, random, the user's files before 'your weights file…'", () => {
    const random = parseOptions(SMALL).random;
    const menu = weightsMenu(MANIFEST, random, [{ key: "file:a:1", label: "your file: a.h5" }]);
    expect(menu.map((g) => [g.label, g.options.map((o) => o.value)])).toEqual([
      ["The authors' published nets (weights cache)", ["published:voc-fcn8s"]],
      ["Trained by this project (models/)", []],
      ["Other", ["random", "file:a:1", PICK_FILE]],
    ]);
    expect(menuText(menu, "published:voc-fcn8s")).toBe("FCN-8s · authors' voc-fcn8s (21 classes)");
    expect(menuText(menu, "random")).toBe("random (seed 3, width 1/16, 5 classes)");
    const none = weightsMenu(TRAINED, random, []);
    expect(none[0]!.options).toMatchObject([{ value: "published:none", disabled: true }]);
    expect(none[1]!.options).toEqual([{ value: "project:models/fcn8s-digits.safetensors", text: "trained: fcn8s-digits (fcn8s, 11 classes, width 1/32)" }]);
  });
});

describe("explorer controller: actions and state, on tfjs's cpu backend", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  test("start and run; hover, pin and unpin a pixel; the figures' class; the overlay's opacity", async () => {
    const env = testEnv();
    const c = new ExplorerController(env, parseOptions(`${SMALL}&weights=random&sample=chelsea&backend=cpu`));
    const seen: ExplorerState[] = [];
    c.subscribe((s) => seen.push(s));
    await c.start();
    await c.ready;
    let s = c.state;
    expect([s.ready, s.runs, s.running, s.lastError, s.message]).toEqual([true, 1, false, null, null]);
    expect(seen.some((x) => x.running && x.busyText === "Drawing the stages…")).toBe(true);
    expect([s.backendChoice, s.backend?.info.name, s.model, s.weights, s.sample, s.maxSide]).toEqual(["cpu", "cpu", "fcn8s", "random", "samples/chelsea.png", "64"]);
    expect(env.backends).toEqual(["cpu"]);
    const r = s.result!;
    expect([r.lm.spec.model, r.lm.spec.width, r.lm.spec.classes]).toEqual(["fcn8s", 1 / 16, 5]);
    expect(s.inputStatus).toBe(`300×451 → resized to ${r.pass.image.height}×64`);
    expect(s.weightsStatus).toMatchObject({ label: "random (seed 3)", published: null, modelCard: null });
    expect(s.timeStatus).toMatchObject({ first: false, compileMs: null });
    expect("figs" in s.figures! && s.figures.figs.map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);
    expect(s.figClass).toBe(defaultClass(r.pass.taps.get("score")!));
    expect([s.hover, s.pinned, s.receptiveField]).toEqual([null, null, null]);

    c.hoverPixel([5, 7]);
    s = c.state;
    expect([s.hover?.info.x, s.hover?.info.y, s.hover?.pinned, s.hovered]).toEqual([5, 7, false, [5, 7]]);
    expect(s.hover!.info.residual / s.hover!.info.scale).toBeLessThan(1e-5);
    c.hoverPixel([5, 7]);
    expect(c.state).toBe(s); // the same pixel again: nothing to redraw

    c.clickPixel([5, 7]);
    s = c.state;
    expect([s.pinned, s.hover?.pinned, s.receptiveField?.id]).toEqual([[5, 7], true, "receptive-field"]);
    c.hoverPixel([1, 1]);
    expect(c.state).toBe(s); // a pinned pixel stays
    c.clickPixel([5, 7]);
    expect([c.state.pinned, c.state.hover?.pinned]).toEqual([null, false]);
    expect(c.state.receptiveField).toBe(s.receptiveField); // drawn until the figures are

    const before = c.state;
    c.chooseFigureClass(2);
    expect(changedKeys(before, c.state).sort()).toEqual(["figClass", "figures", "receptiveField"]);
    expect(c.state.receptiveField).toBeNull();
    c.setOpacity(80);
    expect(c.state.opacity).toBe(80);
    expect(c.state.runs).toBe(1);
    c.state.result!.lm.model.dispose();
  });

  test("autorun=0 with a published net; another model takes that model's weights and says so (no download)", async () => {
    const env = testEnv();
    const c = new ExplorerController(env, parseOptions(`${SMALL}&weights=published:voc-fcn8s&autorun=0&backend=cpu`));
    await c.start();
    await c.ready;
    expect([c.state.runs, c.state.weights, c.state.model, c.state.sample, c.state.message]).toEqual([0, "published:voc-fcn8s", "fcn8s", "samples/chelsea.png", null]);
    await c.chooseModel("fcn32s");
    const s = c.state;
    expect([s.runs, s.lastError, s.model, s.weights]).toEqual([1, null, "fcn32s", "random"]);
    expect(s.message).toEqual({ kind: "note", lines: ["voc-fcn8s holds FCN-8s weights; for FCN-32s the page took random (seed 3, width 1/16, 5 classes)."] });
    expect(s.result!.lm.streams.map((x) => x.pool)).toEqual(["pool5"]);
    expect("figs" in s.figures! && s.figures.figs.map((f) => f.id)).toEqual(["coarse", "upsampling", "overlay"]);
    expect(env.downloads).toEqual([]);
    s.result!.lm.model.dispose();
  });

  test("the URL's note shows at start; dropped weights and image; a second run while one runs; a file that is not weights; the picker closed", async () => {
    const c = new ExplorerController(testEnv(), parseOptions(`${SMALL}&weights=vgg16&autorun=0&backend=cpu`));
    await c.start();
    expect(c.state.message).toEqual({ kind: "note", lines: ["vgg16 is not an FCN (vgg16: a test net): the explorer runs FCN-32s, 16s and 8s."] });

    await c.dropFiles([caffemodelFile("fcn16s", "small-fcn16s.caffemodel"), new File([digitScene() as BlobPart], "my scene.png", { type: "image/png" })]);
    let s = c.state;
    expect(s.lastError).toBeNull();
    expect([s.runs, s.model, s.sample, s.userImage, s.image?.origin.kind]).toEqual([1, "fcn16s", "file", "my scene.png", "digits"]);
    expect(s.userWeights).toHaveLength(1);
    expect([s.weights, s.userWeights[0]!.label]).toEqual([s.userWeights[0]!.key, "your file: small-fcn16s.caffemodel"]);
    expect(s.message?.lines.join("\n")).toMatch(/^Read small-fcn16s\.caffemodel: .*The model was switched to FCN-16s to match it\.$/m);
    expect([s.result!.lm.spec.model, s.result!.lm.spec.classes, s.weightsStatus?.label]).toEqual(["fcn16s", 5, "your file: small-fcn16s.caffemodel"]);

    await Promise.all([c.run(), c.run()]);
    expect(c.state.runs).toBe(2);

    const chosen = c.state.weights;
    c.beginWeightsPick();
    expect(c.state.weights).toBe(PICK_FILE);
    await c.openWeights([new File([new Uint8Array(64) as BlobPart], "bad.safetensors")]);
    s = c.state;
    expect([s.weights, s.runs, s.message?.kind]).toEqual([chosen, 2, "error"]);
    expect(s.lastError).toBe(s.message!.lines[0]);
    c.beginWeightsPick();
    await c.openWeights([]);
    expect(c.state.weights).toBe(chosen);
    c.state.result!.lm.model.dispose();
  });
});
