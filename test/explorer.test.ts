/**
 * The FCN explorer (explorer/, npm run explorer).
 *
 * Node: the per-stream decomposition sums to the logits and matches an independent
 * computation; the texture-limit planner agrees with tfjs's own texture shapes; class
 * names; the deterministic resize; the build-time manifest of trained models.
 *
 * Browser: the page, built and served locally, in headless Debian chromium on WebGL
 * (SwiftShader here). By default it runs the shipped trained FCN-8s
 * (models/fcn8s.safetensors, 11 digit classes) on the digit test scene
 * models/samples/test-scene-0.png with the preprocessing the file declares; its scores
 * agree with the same file read by Node's readWeights/modelFromWeights on the cpu
 * backend to 1e-4, and a clicked pixel on a digit shows the reference logits and stream
 * contributions. Seeded random weights (width 1/8, 21 VOC classes) on a photo, a user's
 * Keras HDF5 file, and a GPU with small textures (a resized input with a message;
 * without the check, tfjs's error instead of a picture) are checked too. Images the user
 * opens or drops meet the digit model: a photo gets the "means little on a photo"
 * warning, a digit scene none (what an image is: explorer/training-domain.ts, checked in
 * Node on the samples); the view and legend draw the digit names' categorical colours; the
 * hover panel writes (row, col) and H×W. Every menu shows each label whole at 1280 and
 * 720 px (its width against the browser's own width for a menu of that label).
 * Screenshots: out/screenshots/explorer-*.png. FCN_VIZ_MODELS_DIR (tests only) builds
 * the page from another models folder than models/.
 * The WebGPU run is test/explorer-webgpu.test.ts; the full-width 500x500 pass is
 * bench/explorer-bench.mjs (minutes on SwiftShader: not for CI).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeImage, Model, minInputSize, modelSpec, randomParams, readWeights, useBackend, writeWeights, type Params } from "../src/node.js";
import { CATEGORICAL_PALETTE } from "../viz/index.js";
import { classNamesFor } from "../src/classes.js";
import { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
import { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
import { looksLikeDigitScene, mismatchWarning, sampleOrigin, userImageOrigin, weightsOrigin } from "../explorer/training-domain.js";
import { stageFigures } from "../explorer/figures.js";
import { resizeRgb } from "../explorer/image.js";
import { checkFit, passTensors, planInput, webglLimits } from "../src/net/memory.js";
import { headTaps, loadModel, runPass, type FcnModel } from "../explorer/pipeline.js";
import { hoverInfo, streamContributions, streamsOf, type HostMap } from "../src/analysis/index.js";
import { generatePublic, ROOT } from "../scripts/explorer.mjs";
import {
  buildAndServe,
  chromiumMissing,
  cpuReference,
  launch,
  MODELS_DIR,
  trainedReference,
  type TrainedReference,
  openExplorer,
  pageInput,
  pageTap,
  relDiff,
  REQUIRED,
  SCREENSHOTS,
  textOf,
  type Reference,
  afterRun,
  dropFile,
  legendColors,
  menusCutting,
  viewColors,
  type Served,
} from "./explorer-browser.js";

const CHELSEA = resizeRgb(decodeImage(fs.readFileSync(path.join(ROOT, "sample-images", "chelsea.png"))), 106, 160);

describe("explorer, Node parts", () => {
  const passes = new Map<FcnModel, Awaited<ReturnType<typeof runPass>> & { lm: ReturnType<typeof loadModel> }>();
  beforeAll(async () => {
    await useBackend("cpu");
    // Small and quick: width 1/16, a 56x84 crop-sized input.
    const img = resizeRgb(CHELSEA, 56, 84);
    for (const m of ["fcn32s", "fcn16s", "fcn8s"] as const) {
      const lm = loadModel(m, { kind: "random", width: 1 / 16, classes: 5, seed: 3 });
      passes.set(m, { ...(await runPass(lm, img)), lm });
    }
  }, 120_000);
  afterAll(() => passes.forEach((p) => p.lm.model.dispose()));

  test("streams: FCN-32s has pool5; FCN-16s pool5 + pool4; FCN-8s pool5 + pool4 + pool3", () => {
    expect(streamsOf(modelSpec("fcn32s")).map((s) => [s.pool, s.source, s.stride])).toEqual([["pool5", "score_fr", 32]]);
    expect(streamsOf(modelSpec("fcn16s")).map((s) => s.pool)).toEqual(["pool5", "pool4"]);
    expect(streamsOf(modelSpec("fcn8s")).map((s) => [s.pool, s.source, s.stride])).toEqual([
      ["pool5", "score_fr", 32],
      ["pool4", "score_pool4", 16],
      ["pool3", "score_pool3", 8],
    ]);
    // The at-once variant scales pool4/pool3 before their score layers: same streams.
    expect(streamsOf(modelSpec("fcn8s", { atOnce: true })).map((s) => s.source)).toEqual(["score_fr", "score_pool4", "score_pool3"]);
  });

  test("the streams of every pixel sum to the network's logits (32s, 16s, 8s)", () => {
    for (const [m, p] of passes) {
      const score = p.taps.get(p.lm.spec.output)!;
      const [h, w, c] = score.shape;
      let worst = 0;
      let scale = 0;
      for (let y = 0; y < h; y += 5) {
        for (let x = 0; x < w; x += 7) {
          const parts = streamContributions(p.lm.spec, [h, w], p.taps, p.lm.deconv, y, x);
          expect(parts).toHaveLength(p.lm.streams.length);
          for (let k = 0; k < c; k++) {
            const logit = score.data[(y * w + x) * c + k]!;
            worst = Math.max(worst, Math.abs(parts.reduce((s, v) => s + v[k]!, 0) - logit));
            scale = Math.max(scale, Math.abs(logit));
          }
        }
      }
      expect(worst / scale, m).toBeLessThan(1e-5);
      expect(scale, m).toBeGreaterThan(0);
    }
  });

  test("the pool3 stream is what the net loses when score_pool3 is zeroed (an independent check)", async () => {
    // Same FCN-8s with score_pool3's weight and bias at zero: its output lacks exactly the pool3 stream.
    const p = passes.get("fcn8s")!;
    const spec = p.lm.spec;
    const params: Params = randomParams(spec, 3);
    for (const n of ["score_pool3.weight", "score_pool3.bias"]) {
      const t = params.get(n)!;
      params.set(n, tf.zerosLike(t));
      t.dispose();
    }
    const model = new Model(spec, params);
    params.forEach((t) => t.dispose());
    const input = model.inputFromImage(p.image);
    const out = model.forward(input).score!;
    const without = (await out.data()) as Float32Array;
    input.dispose();
    out.dispose();
    model.dispose();
    const score = p.taps.get("score")!;
    const [h, w, c] = score.shape;
    let worst = 0;
    let scale = 0;
    for (const [y, x] of [[0, 0], [h - 1, w - 1], [20, 40], [37, 11], [h >> 1, w >> 1]] as const) {
      const pool3 = streamContributions(spec, [h, w], p.taps, p.lm.deconv, y, x)[2]!;
      for (let k = 0; k < c; k++) {
        const i = (y * w + x) * c + k;
        worst = Math.max(worst, Math.abs(score.data[i]! - without[i]! - pool3[k]!));
        scale = Math.max(scale, Math.abs(score.data[i]!));
      }
    }
    expect(worst / scale).toBeLessThan(1e-5);
  });

  test("hover info: scores best first, softmax, cells on each stream's grid, the output's receptive field", () => {
    const p = passes.get("fcn8s")!;
    const [h, w] = p.taps.get("score")!.shape;
    const info = hoverInfo({ spec: p.lm.spec, inputSize: [h, w], taps: p.taps, deconv: p.lm.deconv, streams: p.lm.streams, classNames: ["a", "b", "c", "d", "e"] }, 40, 20);
    expect(info.scores.map((s) => s.logit)).toEqual([...info.scores.map((s) => s.logit)].sort((a, b) => b - a));
    expect(info.scores.reduce((s, v) => s + v.p, 0)).toBeCloseTo(1, 10);
    // The logits are the score tap's at (x 40, y 20), and p their softmax.
    const score = p.taps.get("score")!;
    const c = score.shape[2];
    const at: number[] = Array.from({ length: c }, (_, k) => score.data[(20 * w + 40) * c + k]!);
    const z = at.reduce((s, v) => s + Math.exp(v - Math.max(...at)), 0);
    for (const s of info.scores) {
      expect(s.logit).toBe(at[s.cls]);
      expect(s.p).toBeCloseTo(Math.exp(at[s.cls]! - Math.max(...at)) / z, 10);
    }
    expect(info.residual / info.scale).toBeLessThan(1e-5);
    expect(info.cells.map((c) => [c.stream.stride, c.rf])).toEqual([[32, 404], [16, 100], [8, 44]]);
    for (const c of info.cells) {
      // The chosen cell's centre (row, col) is the nearest one: within half a stride of the pixel (row 20, col 40).
      expect(Math.abs(c.centre[0] - 20)).toBeLessThanOrEqual(c.stream.stride / 2);
      expect(Math.abs(c.centre[1] - 40)).toBeLessThanOrEqual(c.stream.stride / 2);
    }
    expect(info.outputRf).toBeGreaterThan(404);
    expect(() => hoverInfo({ spec: p.lm.spec, inputSize: [h, w], taps: p.taps, deconv: p.lm.deconv, streams: p.lm.streams, classNames: [] }, w, 0)).toThrow(/outside/);
  });

  test("stage figures: coarse map, upsampling, fusions (none for FCN-32s), overlay, as SVG", () => {
    for (const [m, p] of passes) {
      const figs = stageFigures({ spec: p.lm.spec, image: p.image, taps: p.taps, classNames: p.lm.classNames.names, classIndex: 1 });
      expect(figs.map((f) => f.id), m).toEqual(m === "fcn32s" ? ["coarse", "upsampling", "overlay"] : ["coarse", "upsampling", "fusion", "overlay"]);
      for (const f of figs) expect(f.svg.startsWith("<svg"), `${m} ${f.id}`).toBe(true);
    }
    expect(headTaps(modelSpec("fcn8s"))).toEqual(["score_fr", "upscore2", "score_pool4", "score_pool4c", "fuse_pool4", "upscore_pool4", "score_pool3", "score_pool3c", "fuse_pool3", "upscore8", "score"]);
  });

  test("texture planner: agrees with tfjs's texture shapes, shrinks only as needed, says why", () => {
    const shape = tf.webgl_util.getTextureShapeFromLogicalShape;
    const full = modelSpec("fcn8s");
    const small = modelSpec("fcn8s", { width: 1 / 8 });
    tf.env().set("WEBGL_MAX_TEXTURE_SIZE", 8192);
    const limits = webglLimits(8192, shape);
    const misfit = (spec: typeof full, h: number, w: number, l = limits) => {
      const r = checkFit(spec, h, w, l);
      return r.ok ? null : r.reason;
    };
    // Full width at 500x500 with pad 100: conv1_2's im2col is [1, 576, 698 * 698], 8376 texels a side.
    expect(misfit(full, 500, 500)).toMatch(/^conv1_2 im2col \[1, 576, 487204\] would need 8376×8376 texels, but this GPU's textures are at most 8192 px a side/);
    expect(misfit(full, 224, 224)).toBeNull();
    expect(misfit(full, 500, 500, webglLimits(16384, shape))).toBeNull();
    expect(misfit(small, 500, 500)).toBeNull();
    const plan = planInput(full, 500, 500, { upscale: true, limits });
    expect(plan.resized).toBe(true);
    expect(plan.height).toBe(plan.width);
    expect(plan.height).toBeLessThan(500);
    expect(plan.height).toBeGreaterThan(450);
    expect(misfit(full, plan.height, plan.width)).toBeNull();
    expect(plan.reasons.join(" ")).toMatch(/^at the larger size conv1_2 im2col \[1, 576, 487204\] would need 8376×8376 texels, but this GPU's textures are at most 8192 px a side \(WebGL MAX_TEXTURE_SIZE\)$/);
    // The user's cap comes first, keeping the aspect ratio; then nothing more is needed.
    expect(planInput(small, 300, 451, { maxSide: 160, upscale: true, limits })).toEqual({
      height: 106,
      width: 160,
      resized: true,
      reasons: ["the longer side is capped at 160 px"],
    });
    expect(planInput(small, 300, 451, { maxSide: 500, upscale: true }).resized).toBe(false);
    tf.env().set("WEBGL_MAX_TEXTURE_SIZE", 512);
    expect(() => planInput(full, 500, 500, { upscale: true, limits: webglLimits(512, shape) })).toThrow(
      /too large for fcn8s on webgl: .* would need \d+×\d+ texels, but this GPU's textures are at most 512 px a side .*Options: the WASM backend\./,
    );
    tf.env().set("WEBGL_MAX_TEXTURE_SIZE", 8192);
    // Every blob is listed, and the upsampling's (a 2x2 convolution into s x s blocks, then
    // depth-to-space): its im2col and GEMM output, the blocks and their transposed copy.
    const needs = passTensors(small, 100, 100, "webgl");
    const names = needs.map((n) => n.what);
    for (const n of ["upscore8 input padded", "upscore8 im2col", "upscore8 matmul output", "upscore8 blocks", "upscore8 blocks (transposed)", "score"]) expect(names).toContain(n);
    expect(needs.find((n) => n.what === "upscore8 blocks")).toMatchObject({ packedOnly: true });
    expect(names).not.toContain("upscore8 quadrant product");
    // WEBGL_EXP_CONV: no im2col matrices.
    expect(passTensors(small, 100, 100, "webgl", { directConv: true }).some((n) => n.what.endsWith("im2col"))).toBe(false);
  });

  test("class names: from the weights' metadata, else VOC for 21, digits for 11, else numbered", () => {
    expect(classNamesFor(21).names).toEqual(VOC_CLASS_NAMES);
    expect(classNamesFor(11)).toMatchObject({ names: DIGIT_CLASS_NAMES });
    expect(classNamesFor(3).names).toEqual(["class 0", "class 1", "class 2"]);
    expect(classNamesFor(3, { notes: { class_names: '["sky", "road", "car"]' } })).toEqual({ names: ["sky", "road", "car"], source: "the weights' metadata (notes.class_names)" });
    expect(classNamesFor(3, { notes: { labels: "sky, road, car" } }).names).toEqual(["sky", "road", "car"]);
    const wrong = classNamesFor(21, { notes: { class_names: '["a", "b"]' } });
    expect(wrong.names).toEqual(VOC_CLASS_NAMES);
    expect(wrong.source).toMatch(/lists 2 names for 21 classes, so it was ignored/);
  });

  test("what an image is and what weights learned: the digit scenes look like digit scenes, the photos do not; the warning for every unlike pair", () => {
    const read = (dir: string) => fs.readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => ({ f, img: decodeImage(fs.readFileSync(path.join(dir, f))) }));
    const scenes = read(path.join(MODELS_DIR, "samples"));
    const photos = read(path.join(ROOT, "sample-images"));
    expect(scenes.length).toBeGreaterThan(0);
    expect(photos.length).toBeGreaterThan(0);
    for (const { f, img } of scenes) expect(looksLikeDigitScene(img).digits, f).toBe(true);
    for (const { f, img } of photos) expect(looksLikeDigitScene(img).digits, f).toBe(false);
    // A photo turned grey is still no digit scene (not mostly black); a digit scene tinted is no longer grey.
    const chelseaGrey = { ...CHELSEA, rgb: CHELSEA.rgb.map((_, i, a) => a[i - (i % 3)]!) };
    expect(looksLikeDigitScene(chelseaGrey)).toMatchObject({ grey: 1, digits: false });
    const scene = scenes[0]!.img;
    expect(looksLikeDigitScene({ ...scene, rgb: scene.rgb.map((v, i) => (i % 3 === 2 ? Math.min(255, v + 40) : v)) }).digits).toBe(false);

    const project = weightsOrigin({ kind: "project", classNames: DIGIT_CLASS_NAMES });
    const voc = weightsOrigin({ kind: "published", classNames: VOC_CLASS_NAMES, published: { name: "voc-fcn8s", description: "FCN-8s, PASCAL VOC (21 classes): three streams" } });
    const random = weightsOrigin({ kind: "random", classNames: VOC_CLASS_NAMES });
    expect([project.learned, voc.learned, random.learned]).toEqual(["digits", "photos", "random"]);
    // A user's file: its class names say what it learned, or nothing.
    expect(weightsOrigin({ kind: "file", classNames: DIGIT_CLASS_NAMES }).learned).toBe("digits");
    expect(weightsOrigin({ kind: "file", classNames: VOC_CLASS_NAMES }).learned).toBe("photos");
    expect(weightsOrigin({ kind: "file", classNames: PASCAL_CONTEXT_CLASS_NAMES }).learned).toBe("photos");
    expect(weightsOrigin({ kind: "file", classNames: ["sky", "road", "car"] }).learned).toBe("unknown");

    const photo = sampleOrigin("sample-images");
    const digits = sampleOrigin("models");
    expect(mismatchWarning(project, photo, ["test-scene-0"])).toBe("The project's trained models learned handwritten digits on a black background (test-scene-0 are such inputs); on a photo their output means little.");
    expect(mismatchWarning(voc, digits, [])).toBe("The authors' voc-fcn8s learned photos (FCN-8s, PASCAL VOC (21 classes)); on a digit scene its output means little: pick a photo.");
    for (const [w, i] of [[project, digits], [voc, photo], [random, photo], [random, digits], [weightsOrigin({ kind: "file", classNames: ["a", "b"] }), photo]] as const) {
      expect(mismatchWarning(w, i, [])).toBeNull();
    }
    // A user's image: the rule, and what it found, in the warning.
    const mine = userImageOrigin("cat.png", CHELSEA);
    expect(mine.kind).toBe("photos");
    expect(mismatchWarning(project, mine, [])).toMatch(/on a photo their output means little\. Your image cat\.png counts as a photo: only a grey image that is mostly black counts as a digit scene, and \d+% of its pixels are grey, \d+% black\.$/);
    const myScene = userImageOrigin("scan.png", scene);
    expect(myScene.kind).toBe("digits");
    expect(mismatchWarning(project, myScene, [])).toBeNull();
    expect(mismatchWarning(voc, myScene, [])).toMatch(/on a digit scene its output means little: pick a photo\. Your image scan\.png counts as a digit scene: it is grey and mostly black \(\d+% of its pixels\)/);
  });

  test("resize: identity, exact area averages, bilinear upscaling, every byte deterministic", () => {
    const img = { width: 4, height: 2, rgb: Uint8Array.from({ length: 24 }, (_, i) => i * 10) };
    expect(resizeRgb(img, 2, 4)).toBe(img);
    // 4x2 -> 2x1: each output pixel averages a 2x2 block.
    const half = resizeRgb(img, 1, 2);
    const avg = (px: number[], c: number) => Math.round(px.reduce((s, p) => s + img.rgb[p * 3 + c]!, 0) / px.length);
    expect([...half.rgb]).toEqual([0, 1, 2].map((c) => avg([0, 1, 4, 5], c)).concat([0, 1, 2].map((c) => avg([2, 3, 6, 7], c))));
    const up = resizeRgb({ width: 2, height: 1, rgb: Uint8Array.from([0, 0, 0, 200, 100, 40]) }, 1, 4);
    expect([...up.rgb]).toEqual([0, 0, 0, 50, 25, 10, 150, 75, 30, 200, 100, 40]);
    // 3x1 -> 2x1, a non-integer ratio: output pixel 0 covers input [0, 1.5), pixel 1 [1.5, 3),
    // so (0 + 0.5 * 30) / 1.5 = 10 and (0.5 * 30 + 90) / 1.5 = 70.
    const third = resizeRgb({ width: 3, height: 1, rgb: Uint8Array.from([0, 0, 0, 30, 30, 30, 90, 90, 90]) }, 1, 2);
    expect([...third.rgb]).toEqual([10, 10, 10, 70, 70, 70]);
  });

  test("manifest: lists models/*.safetensors with their metadata and the sample inputs (models/samples/, sample-images/, not the card's figures); skips what is not safetensors", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-manifest-"));
    try {
      fs.mkdirSync(path.join(root, "models", "samples"), { recursive: true });
      fs.cpSync(path.join(ROOT, "sample-images"), path.join(root, "sample-images"), { recursive: true });
      const spec = modelSpec("fcn8s", { width: 1 / 32, classes: 11 });
      const params = randomParams(spec, 1);
      const host = new Map([...params].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]));
      params.forEach((t) => t.dispose());
      await writeWeights(path.join(root, "models", "fcn8s-digits.safetensors"), { params: host, meta: { model: "fcn8s", classes: 11, width: 1 / 32, notes: { class_names: JSON.stringify(DIGIT_CLASS_NAMES) } } });
      fs.writeFileSync(path.join(root, "models", "broken.safetensors"), "not a safetensors file");
      fs.writeFileSync(path.join(root, "models", "README.md"), "# models\n");
      fs.copyFileSync(path.join(ROOT, "test", "fixtures", "tiny.png"), path.join(root, "models", "samples", "digits.png"));
      // A figure of the model card: not an input.
      fs.copyFileSync(path.join(ROOT, "test", "fixtures", "tiny.png"), path.join(root, "models", "heatmap.png"));
      const publicDir = path.join(root, "public");
      const { manifest } = await generatePublic({ root, publicDir });
      expect(manifest.models.map((m) => m.name)).toEqual(["fcn8s-digits"]);
      expect(manifest.models[0]!.metadata).toMatchObject({ "fcn_viz.model": "fcn8s", "fcn_viz.classes": "11", "fcn_viz.width": "0.03125" });
      expect(manifest.modelCard).toBe("models/README.md");
      expect(manifest.samples[0]).toEqual({ url: "samples/models/digits.png", name: "digits", from: "models" });
      expect(manifest.samples.map((s) => s.name)).toContain("chelsea");
      expect(manifest.samples.map((s) => s.name)).not.toContain("heatmap");
      expect(manifest.samples.filter((s) => s.from === "models")).toHaveLength(1);
      expect(fs.existsSync(path.join(publicDir, "models", "fcn8s-digits.safetensors"))).toBe(true);
      expect(fs.existsSync(path.join(publicDir, "tfjs-wasm", "tfjs-backend-wasm-simd.wasm"))).toBe(true);
      // The page reads it back through the library's bytes reader.
      const { readWeightsBytes } = await import("../src/index.js");
      const file = await readWeightsBytes({ name: "fcn8s-digits.safetensors", bytes: fs.readFileSync(path.join(publicDir, "models", "fcn8s-digits.safetensors")) });
      const lm = loadModel("fcn8s", { kind: "file", file, label: "trained" });
      expect(lm.classNames.names).toEqual(DIGIT_CLASS_NAMES);
      expect(lm.classNames.source).toBe("the weights' metadata (notes.class_names)");
      lm.model.dispose();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------

const QUERY = { sample: "chelsea", model: "fcn8s", weights: "random", width: 0.125, classes: 21, seed: 0, maxSide: 160, backend: "webgl" };

describe("explorer in headless chromium, WebGL", () => {
  let served: Served | null = null;
  let browser: Browser | null = null;
  let ref: Reference | null = null;
  let trained: TrainedReference | null = null;
  let trainedMissing: string | null = null;
  let prepError: Error | null = null;
  const pageErrors: string[] = [];
  const SHIPPED = path.join(MODELS_DIR, "fcn8s.safetensors");
  const SCENE = path.join(MODELS_DIR, "samples", "test-scene-0.png");

  beforeAll(async () => {
    if (chromiumMissing) return;
    try {
      served = await buildAndServe();
      browser = await launch();
      ref = await cpuReference({ model: "fcn8s", sample: "chelsea.png", maxSide: QUERY.maxSide, width: QUERY.width, classes: QUERY.classes, seed: QUERY.seed });
      const missing = [SHIPPED, SCENE].filter((f) => !fs.existsSync(f));
      if (missing.length) trainedMissing = `${missing.join(" and ")} missing: the trained weights ship in models/ (npx fcn-viz train all)`;
      else trained = await trainedReference({ model: "fcn8s", weights: SHIPPED, sample: SCENE, taps: ["score_fr", "score_pool4", "score_pool3", "upscore2", "fuse_pool4", "fuse_pool3", "upscore8", "score"] });
      console.log(`[explorer] built in ${(served.buildMs / 1000).toFixed(1)} s from ${MODELS_DIR}; cpu references ${(ref.ms / 1000).toFixed(1)} s (random), ${trained ? (trained.ms / 1000).toFixed(1) : "-"} s (shipped)`);
    } catch (e) {
      prepError = e as Error;
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await served?.close();
    ref?.lm.model.dispose();
    trained?.model.dispose();
  });

  const newPage = async (): Promise<Page> => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    return page;
  };

  test("by default: the shipped FCN-8s on a digit test scene, on webgl, equal to Node's cpu backend on the same file to 1e-4; a digit pixel's hover panel", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    if (trainedMissing) throw new Error(trainedMissing);
    const t = trained!;
    const page = await newPage();
    // No model, weights or sample in the URL: the page's defaults.
    const st = await openExplorer(page, served!.url, { backend: "webgl" });
    console.log(`[explorer] shipped fcn8s on webgl: ${st.detail}; pass ${st.passMs?.toFixed(0)} ms, figures ${st.figuresMs?.toFixed(0)} ms`);
    expect(st.error).toBeNull();
    expect(await page.evaluate(() => window.__explorer.tfBackend())).toBe("webgl");
    expect(st.backend).toBe("webgl");
    expect(st.weights).toBe("project:models/fcn8s.safetensors");
    expect(st.weightsLabel).toMatch(/^trained: fcn8s \(fcn8s, 11 classes, width /);
    expect(await page.locator("#sample").inputValue()).toBe("samples/models/test-scene-0.png");
    expect(st.banner).toBeNull();
    // What the file holds, as Node's readWeights/modelFromWeights read it: architecture,
    // width, classes, and the preprocessing from its metadata (grey digits scaled 0..1,
    // not the Caffe mean).
    expect(t.file.meta.preprocess).toBeDefined();
    expect(st.preprocess).toEqual(t.file.meta.preprocess);
    expect(st.preprocess).toEqual(t.model.preprocess);
    expect(st.preprocess!.mean).toEqual([0, 0, 0]);
    expect(await textOf(page, "#st-weights")).toContain("input RGB × 1/255");
    expect([st.model, st.width, st.classes]).toEqual(["fcn8s", t.spec.width, t.spec.classes]);
    expect(st.classes).toBe(11);
    expect(st.classNames).toEqual(["background", ...Array.from({ length: 10 }, (_, d) => `digit ${d}`)]);

    // The lists: sample inputs are models/samples/* and sample-images/* (not the card's
    // figures in models/); the weights are the trained FCNs (not the VGG16 classifier).
    const inputs = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f)) : []);
    const options = await page.locator("#sample option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.sort()).toEqual([...inputs(path.join(MODELS_DIR, "samples")).map((f) => `samples/models/${f}`), ...inputs(path.join(ROOT, "sample-images")).map((f) => `samples/${f}`)].sort());
    const weightOptions = await page.locator("#weights option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const fcnFiles = fs.readdirSync(MODELS_DIR).filter((f) => /^fcn.*\.safetensors$/.test(f));
    expect(weightOptions.filter((v) => v.startsWith("project:")).sort()).toEqual(fcnFiles.map((f) => `project:models/${f}`).sort());

    // The same input bytes as the library's decoder (224x224, not resized) ...
    expect(st.input).toEqual([t.image.height, t.image.width]);
    expect(st.original).toEqual([t.image.height, t.image.width]);
    expect(Buffer.from(await pageInput(page)).equals(Buffer.from(t.image.rgb))).toBe(true);
    // ... and the same scores, and every stage, to 1e-4 relative.
    for (const name of ["score", "score_fr", "score_pool4", "score_pool3", "upscore2", "fuse_pool4", "fuse_pool3", "upscore8"]) {
      const got = await pageTap(page, name);
      const want = t.taps.get(name)!;
      expect(got.shape, name).toEqual([...want.shape]);
      const d = relDiff(got.data, want.data);
      if (name === "score") console.log(`[explorer] shipped fcn8s, webgl vs cpu, score: max relative difference ${d.toExponential(2)}`);
      expect(d, name).toBeLessThan(1e-4);
    }
    expect(st.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);

    // A pixel on a digit stroke (bright in the input), where the reference's decision is
    // clearest (a digit class if the reference predicts one on any stroke pixel).
    const score = { shape: t.taps.get("score")!.shape, data: Float32Array.from(t.taps.get("score")!.data) };
    const [h, w, c] = score.shape;
    let pick = { x: -1, y: -1, digit: false, margin: -Infinity, cls: -1 };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (t.image.rgb[3 * (y * w + x)]! < 160) continue;
        const v = score.data.subarray((y * w + x) * c, (y * w + x + 1) * c);
        let k1 = 0;
        for (let k = 1; k < c; k++) if (v[k]! > v[k1]!) k1 = k;
        let second = -Infinity;
        for (let k = 0; k < c; k++) if (k !== k1) second = Math.max(second, v[k]!);
        const digit = k1 !== 0;
        if ((digit && !pick.digit) || (digit === pick.digit && v[k1]! - second > pick.margin)) pick = { x, y, digit, margin: v[k1]! - second, cls: k1 };
      }
    }
    expect(pick.x).toBeGreaterThanOrEqual(0);
    const { x, y } = pick;
    const at = await page.evaluate(([x, y]) => window.__explorer.pixelToClient(x, y), [x, y] as const);
    await page.mouse.click(at.x, at.y);
    const hover = page.locator("#hover");
    await expect.poll(() => hover.getAttribute("data-x")).toBe(String(x));
    expect(await hover.getAttribute("data-y")).toBe(String(y));
    const rows = await hover.locator("tr[data-class]").evaluateAll((trs) =>
      trs.map((tr) => ({ cls: Number(tr.getAttribute("data-class")), logit: Number(tr.getAttribute("data-logit")), p: Number(tr.getAttribute("data-p")), streams: tr.getAttribute("data-streams")!.split(",").map(Number) })),
    );
    expect(rows.map((r) => r.cls).sort((a, b) => a - b)).toEqual([...Array(11).keys()]);
    let scale = 0;
    for (let i = 0; i < score.data.length; i++) scale = Math.max(scale, Math.abs(score.data[i]!));
    const logits = Array.from(score.data.subarray((y * w + x) * c, (y * w + x + 1) * c));
    const mx = Math.max(...logits);
    const z = logits.reduce((s, v) => s + Math.exp(v - mx), 0);
    const refStreams = streamContributions(t.spec, [h, w], t.taps, t.deconv, y, x);
    for (const r of rows) {
      expect(Math.abs(r.logit - logits[r.cls]!) / scale, `logit of class ${r.cls}`).toBeLessThan(1e-4);
      expect(Math.abs(r.p - Math.exp(logits[r.cls]! - mx) / z), `p of class ${r.cls}`).toBeLessThan(1e-4);
      expect(r.streams).toHaveLength(3);
      r.streams.forEach((v, k) => expect(Math.abs(v - refStreams[k]![r.cls]!) / scale, `stream ${k}, class ${r.cls}`).toBeLessThan(1e-4));
    }
    expect(rows[0]!.cls).toBe(pick.cls);
    const predicted = await textOf(page, "#hover .where b");
    expect(predicted).toBe(st.classNames![pick.cls]!);
    console.log(`[explorer] clicked (${x}, ${y}) on a stroke: the reference and the page predict ${predicted} (p ${rows[0]!.p.toFixed(3)})`);
    expect(await textOf(page, "#hover ul.cells li")).toContain("stride cell 32×32 px, receptive field 404×404 px");
    await expect.poll(() => page.locator("[data-figure=receptive-field] svg").count()).toBe(1);
    expect(await page.locator("#marks rect").count()).toBe(12);

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-webgl.png"), fullPage: true });
    await page.locator("main.explore").screenshot({ path: path.join(SCREENSHOTS, "explorer-webgl-hover.png") });

    // Another architecture follows with its own shipped weights.
    const runs = st.runs;
    await page.selectOption("#model", "fcn32s");
    await page.waitForFunction((n) => window.__explorer.state().runs > n && !window.__explorer.busy(), runs, { timeout: 120_000, polling: 250 });
    const st32 = await page.evaluate(() => window.__explorer.state());
    expect(st32.error).toBeNull();
    expect([st32.model, st32.weights]).toEqual(["fcn32s", "project:models/fcn32s.safetensors"]);
    expect(st32.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "overlay"]);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  test("seeded random weights on a photo: FCN-8s on webgl agrees with Node's cpu backend to 1e-4, and the hover panel shows the reference numbers", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    const page = await newPage();
    const st = await openExplorer(page, served!.url, QUERY);
    console.log(`[explorer] webgl: ${st.detail}; compile ${st.compileMs === null ? "as it goes" : `${st.compileMs.toFixed(0)} ms`}, pass ${st.passMs?.toFixed(0)} ms, figures ${st.figuresMs?.toFixed(0)} ms`);
    expect(st.error).toBeNull();
    expect(await page.evaluate(() => window.__explorer.tfBackend())).toBe("webgl");
    expect(st.backend).toBe("webgl");
    expect(st.detail).toMatch(/^webgl on /);
    expect(st.model).toBe("fcn8s");
    expect([st.width, st.classes]).toEqual([0.125, 21]);
    expect(st.input).toEqual([106, 160]);
    expect(st.original).toEqual([300, 451]);

    // The same input bytes as Node (same decoder, same resize) ...
    expect(Buffer.from(await pageInput(page)).equals(Buffer.from(ref!.image.rgb))).toBe(true);
    // ... and the same scores, and every stage, to 1e-4 relative.
    for (const name of ["score", "score_fr", "upscore2", "fuse_pool4", "fuse_pool3", "upscore8"]) {
      const got = await pageTap(page, name);
      const want = ref!.pass.taps.get(name)!;
      expect(got.shape, name).toEqual([...want.shape]);
      const d = relDiff(got.data, want.data);
      if (name === "score") console.log(`[explorer] webgl vs cpu, score: max relative difference ${d.toExponential(2)}`);
      expect(d, name).toBeLessThan(1e-4);
    }

    // Every stage is drawn.
    expect(st.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);
    await expect.poll(() => page.locator("[data-figure=upsampling] svg image").count()).toBeGreaterThan(6);

    // Click a pixel: the panel shows its logits (= Node's), and per-stream parts summing to them.
    const [x, y] = [97, 41];
    const at = await page.evaluate(([x, y]) => window.__explorer.pixelToClient(x, y), [x, y] as const);
    await page.mouse.click(at.x, at.y);
    const hover = page.locator("#hover");
    await expect.poll(() => hover.getAttribute("data-x")).toBe(String(x));
    expect(await hover.getAttribute("data-y")).toBe(String(y));
    expect(await hover.locator(".pinned").count()).toBe(1);
    const rows = await hover.locator("tr[data-class]").evaluateAll((trs) =>
      trs.map((tr) => ({ cls: Number(tr.getAttribute("data-class")), logit: Number(tr.getAttribute("data-logit")), streams: tr.getAttribute("data-streams")!.split(",").map(Number) })),
    );
    expect(rows.map((r) => r.cls).sort((a, b) => a - b)).toEqual([...Array(21).keys()]);
    const score = ref!.pass.taps.get("score")!;
    const [, w, c] = score.shape;
    let scale = 0;
    for (let i = 0; i < score.data.length; i++) scale = Math.max(scale, Math.abs(score.data[i]!));
    const refStreams = streamContributions(ref!.lm.spec, [106, 160], ref!.pass.taps, ref!.lm.deconv, y, x);
    for (const r of rows) {
      expect(Math.abs(r.logit - score.data[(y * w + x) * c + r.cls]!) / scale, `logit of class ${r.cls}`).toBeLessThan(1e-4);
      expect(r.streams).toHaveLength(3);
      expect(Math.abs(r.streams.reduce((a, b) => a + b, 0) - r.logit) / scale, `streams sum, class ${r.cls}`).toBeLessThan(1e-4);
      r.streams.forEach((v, k) => expect(Math.abs(v - refStreams[k]![r.cls]!) / scale, `stream ${k}, class ${r.cls}`).toBeLessThan(1e-4));
    }
    // Best first, and the panel names the predicted class.
    expect(rows[0]!.logit).toBe(Math.max(...rows.map((r) => r.logit)));
    expect(await textOf(page, "#hover .where b")).toBe(VOC_CLASS_NAMES[rows[0]!.cls]!);
    expect(await hover.locator("ul.cells li").count()).toBe(3);
    expect(await textOf(page, "#hover ul.cells li")).toContain("stride cell 32×32 px, receptive field 404×404 px");
    // The receptive-field figure of the pinned pixel, and the marks on the image.
    await expect.poll(() => page.locator("[data-figure=receptive-field] svg").count()).toBe(1);
    expect(await page.locator("#marks rect").count()).toBe(12); // per stream: receptive field + stride cell, each with a halo
    expect(await textOf(page, "#banner")).toContain("predictions mean nothing");

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-webgl-random.png"), fullPage: true });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  test("a user's weights file (Keras HDF5, read in the browser): its classes and names, and the same scores as Node", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    // A small FCN-16s with 11 classes and its class names in the metadata, as a user would have it.
    const spec = modelSpec("fcn16s", { width: 1 / 16, classes: 11 });
    const params = randomParams(spec, 5);
    const host = new Map([...params].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]));
    params.forEach((t) => t.dispose());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-explorer-weights-"));
    const file = path.join(dir, "my-digits.h5");
    const names = ["bg", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    await writeWeights(file, { params: host, meta: { model: "fcn16s", classes: 11, width: 1 / 16, notes: { class_names: JSON.stringify(names) } } }, "keras-h5", { kerasNaming: "keras1" });

    const page = await newPage();
    const before = await openExplorer(page, served!.url, { ...QUERY, maxSide: 96, autorun: 0 });
    expect(before.runs).toBe(0);
    await page.setInputFiles("#weights-file", file);
    await page.waitForFunction(() => window.__explorer.state().runs > 0 && !window.__explorer.busy(), null, { timeout: 180_000, polling: 250 });
    const st = await page.evaluate(() => window.__explorer.state());
    // Node reads the same file from disk (a Keras file implies Keras' VGG16 preprocessing).
    const fromDisk = await readWeights(file);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(st.error).toBeNull();
    expect(st.weights).toMatch(/^file:/);
    expect(st.weightsLabel).toBe("your file: my-digits.h5");
    expect(st.model).toBe("fcn16s"); // switched to what the file holds
    expect([st.width, st.classes]).toEqual([1 / 16, 11]);
    expect(st.classNames).toEqual(names);
    expect(st.banner).toBeNull();
    expect(st.messages.join(" ")).toContain("Read my-digits.h5: fcn16s (width 1/16, 11 classes). The model was switched to FCN-16s to match it.");
    expect(st.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);

    // The page's scores with the file's weights equal Node's with the same file.
    await useBackend("cpu");
    const lm = loadModel("fcn16s", { kind: "file", file: fromDisk, label: "same" });
    const pass = await runPass(lm, await pageInput(page).then((rgb) => ({ width: st.input![1], height: st.input![0], rgb })));
    lm.model.dispose();
    expect(relDiff((await pageTap(page, "score")).data, pass.taps.get("score")!.data)).toBeLessThan(1e-4);
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-webgl-user-weights.png") });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  test("an image the user opens or drops, with the digit model: a photo gets the 'means little' warning, a digit scene none; class colours from the names; the panel in (row, col)", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    if (trainedMissing) throw new Error(trainedMissing);
    const page = await newPage();
    const st0 = await openExplorer(page, served!.url, { weights: "fcn8s", maxSide: 128, backend: "webgl", autorun: 0 });
    expect(st0.weights).toBe("project:models/fcn8s.safetensors");
    const message = async () => ((await page.locator("#message").isVisible()) ? await textOf(page, "#message") : "");

    // Opened: a photo (under a name the samples do not have).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-explorer-image-"));
    const photo = path.join(dir, "my cat.png");
    fs.copyFileSync(path.join(ROOT, "sample-images", "chelsea.png"), photo);
    await page.setInputFiles("#image-file", photo);
    const opened = await afterRun(page, 0);
    expect(opened.error).toBeNull();
    expect(await page.locator("#sample option:checked").textContent()).toBe("your image: my cat.png");
    expect(opened.original).toEqual([300, 451]);
    expect(await message()).toMatch(/^The project's trained models learned handwritten digits on a black background \(.*test-scene-0.*\); on a photo their output means little\. Your image my cat\.png counts as a photo: only a grey image that is mostly black counts as a digit scene/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-opened-photo-warning.png") });

    // Dropped: a JPEG photo (the warning again), then a digit scene (none).
    const droppedPhoto = await dropFile(page, path.join(ROOT, "sample-images", "grace_hopper.jpg"), "image/jpeg", opened.runs);
    expect(droppedPhoto.error).toBeNull();
    expect(droppedPhoto.original).toEqual([600, 512]);
    expect(await message()).toMatch(/on a photo their output means little\. Your image grace_hopper\.jpg counts as a photo/);
    const droppedScene = await dropFile(page, path.join(MODELS_DIR, "samples", "test-scene-1.png"), "image/png", droppedPhoto.runs);
    expect(droppedScene.error).toBeNull();
    expect(droppedScene.original).toEqual([224, 224]);
    expect(await message()).not.toMatch(/means little/);
    const scene = { st: droppedScene, score: await pageTap(page, "score") };

    // Colours follow the class names: the digit models' names call for the categorical
    // palette. At full overlay every labelled pixel of the view is its class colour.
    expect(droppedScene.classNames).toEqual(DIGIT_CLASS_NAMES);
    const [h, w] = scene.score.shape as [number, number, number];
    const { labels, present, off } = await viewColors(page, scene.score, (l) => CATEGORICAL_PALETTE[l]!);
    expect(present.size, "digit classes on the scene").toBeGreaterThan(0);
    expect(off).toEqual([]);
    // The legend's swatches, by name.
    const legend = await legendColors(page, DIGIT_CLASS_NAMES);
    expect(legend.length).toBeGreaterThan(1);
    for (const { text, label, color } of legend) {
      expect(label, text).toBeGreaterThanOrEqual(0);
      expect(color, text).toBe(`rgb(${CATEGORICAL_PALETTE[label]!.join(", ")})`);
    }

    // The panel writes positions (row, col) and sizes H×W: a pixel far from the diagonal.
    const [y, x] = [Math.round(0.15 * h), Math.round(0.8 * w)];
    const at = await page.evaluate(([x, y]) => window.__explorer.pixelToClient(x, y), [x, y] as const);
    await page.mouse.click(at.x, at.y);
    const hover = page.locator("#hover");
    await expect.poll(() => hover.getAttribute("data-x")).toBe(String(x));
    expect(await textOf(page, "#hover h2")).toBe(`Pixel (row ${y}, col ${x})pinned`);
    const swatch = await hover.locator(".where .swatch").evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(swatch).toBe(`rgb(${CATEGORICAL_PALETTE[labels[y * w + x]!]!.join(", ")})`);
    const cells = await hover.locator("ul.cells li").allTextContents();
    expect(cells).toHaveLength(3);
    const taps = ["score_fr", "score_pool4", "score_pool3"];
    for (const [k, li] of cells.entries()) {
      const m = /cell \(row (\d+), col (\d+)\) of (\d+)×(\d+), centred on input pixel \(row (−?[\d.]+), col (−?[\d.]+)\); stride cell (\d+)×/.exec(li);
      expect(m, li).not.toBeNull();
      const [i, j, gh, gw, cy, cx, stride] = m!.slice(1).map((v) => Number(v.replace("−", "-")));
      expect([gh, gw], li).toEqual((await pageTap(page, taps[k]!)).shape.slice(0, 2));
      expect(i!, li).toBeLessThan(gh!);
      expect(j!, li).toBeLessThan(gw!);
      // The cell's centre is the nearest to the pixel: within half a stride in each direction.
      expect(Math.abs(cy! - y), li).toBeLessThanOrEqual(stride! / 2);
      expect(Math.abs(cx! - x), li).toBeLessThanOrEqual(stride! / 2);
    }
    await expect.poll(() => textOf(page, "[data-figure=receptive-field] h3")).toBe(`5. Receptive field of the coarse cell under pixel (row ${y}, col ${x})`);
    expect(await textOf(page, "#view-caption")).toBe(`FCN-8s · argmax of score, ${h}×${w}`);
    await page.locator("main.explore").screenshot({ path: path.join(SCREENSHOTS, "explorer-dropped-scene-panel.png") });
    fs.rmSync(dir, { recursive: true, force: true });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  test("every menu (Image, Model, Weights, Backend, Max side, the figures' class) shows each label whole, at 1280 px and at 720 px", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    const page = await newPage();
    await openExplorer(page, served!.url, { autorun: 0 });
    // A long name for the user's image, as the Image menu shows it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-explorer-menus-"));
    const long = path.join(dir, "a photo with a rather long file name.png");
    fs.copyFileSync(path.join(ROOT, "test", "fixtures", "tiny.png"), long);
    await page.setInputFiles("#image-file", long);
    expect((await afterRun(page, 0)).error).toBeNull();
    expect(await page.locator("#sample option:checked").textContent()).toBe("your image: a photo with a rather long file name.png");
    fs.rmSync(dir, { recursive: true, force: true });
    for (const width of [1280, 720]) {
      await page.setViewportSize({ width, height: 900 });
      const cut = await menusCutting(page);
      expect(cut.checked, `${width} px`).toBeGreaterThan(15);
      expect(cut.cut, `${width} px`).toEqual([]);
      // Nothing wider than the window either.
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${width} px`).toBeLessThanOrEqual(0);
      await page.locator("section.controls").screenshot({ path: path.join(SCREENSHOTS, `explorer-menus-${width}.png`) });
    }
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test("a GPU with small textures: the input is resized with a message; without the check tfjs fails loudly, never a wrong picture", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    // Pretend the GPU's textures are at most 1024 px a side; width 1/16 keeps the pass small.
    const q = { ...QUERY, sample: "astronaut", width: 0.0625, maxSide: 512, maxTexture: 1024 };
    const page = await newPage();
    const st = await openExplorer(page, served!.url, q);
    expect(st.error).toBeNull();
    expect(st.maxTextureSize).toBe(1024);
    expect(st.original).toEqual([512, 512]);
    const [h, w] = st.input!;
    expect(h).toBe(w);
    expect(h).toBeLessThan(512);
    expect(st.resizeReasons.join(" ")).toMatch(/textures are at most 1024 px a side/);
    // Sizes H×W, as the shapes write them.
    expect(await textOf(page, "#message")).toContain(`Resized from 512×512 to ${h}×${w}`);
    expect(await textOf(page, "#st-input")).toBe(`512×512 → resized to ${h}×${w}`);
    const score = await pageTap(page, "score");
    expect(score.shape).toEqual([h, w, 21]);
    expect(score.data.every(Number.isFinite)).toBe(true);
    // Not just finite: the resized input and its scores are Node's on the same resize.
    const small = await cpuReference({ model: "fcn8s", sample: "astronaut.png", maxSide: 512, width: q.width, classes: q.classes, seed: q.seed, size: [h, w] });
    try {
      expect(Buffer.from(await pageInput(page)).equals(Buffer.from(small.image.rgb))).toBe(true);
      expect(relDiff(score.data, small.pass.taps.get("score")!.data)).toBeLessThan(1e-4);
    } finally {
      small.lm.model.dispose();
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-webgl-small-textures.png") });
    await page.close();

    // The same without the planner: tfjs refuses the texture, the page says so and draws nothing.
    const raw = await newPage();
    const st2 = await openExplorer(raw, served!.url, { ...q, plan: 0 });
    expect(st2.error).toMatch(/texture size .* greater than WebGL maximum/i);
    expect(st2.input).toBeNull();
    expect(await raw.locator("#message.error").isVisible()).toBe(true);
    await raw.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
