/**
 * The explorer and the authors' published nets (issue 9): `npx fcn-viz fetch voc-fcn8s` puts
 * a .caffemodel in the weights cache; `npm run explorer` lists it in the manifest, serves it
 * from the cache (never copied into the build) and the page's weights menu offers it first.
 *
 * No network: the cache is a temp folder (FCN_VIZ_CACHE) holding .caffemodel files written
 * by the test's own writer (test/support/caffemodel.ts) under the registry's file names.
 *
 * Node: the manifest lists exactly the cached nets with the registry's facts and the file's
 * size; the server hands out the cached bytes as they are, refuses anything else, and its
 * manifest follows the cache (a net fetched while it runs appears on reload).
 * Browser (headless Debian chromium): a small-width voc-fcn8s on WebGL, chosen by the URL
 * and by default, equal to Node's readWeights + modelFromWeights on the same file (1e-4),
 * with VOC's class names and no "digit weights on a photo" warning; PASCAL-Context's 60
 * names; a full-width voc-fcn8s (~540 MB) downloaded with progress and run on the page's
 * WASM backend, equal to Node's WASM pass on the same file; a .caffemodel opened as the
 * user's own file; an empty cache shows how to get one. A photo the user opens gets no
 * warning and VOC's colours, a digit scene opened gets the "learned photos" warning. Screenshots: out/screenshots/explorer-published-*.png.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeImage, readWeights, useBackend } from "../src/node.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
import { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
import { loadWeights, publishedWeights, sizeText } from "../src/published/index.js";
import { resizeRgb } from "../explorer/image.js";
import { loadModel, runPass } from "../explorer/pipeline.js";
import { generatePublic, publishedListing, ROOT, serveStatic } from "../scripts/explorer.mjs";
import { randomCaffemodelFile } from "./support/caffemodel.js";
import { vocColor } from "../viz/index.js";
import { afterRun, buildAndServe, chromiumMissing, launch, legendColors, MODELS_DIR, openExplorer, pageInput, pageTap, relDiff, REQUIRED, SCREENSHOTS, textOf, viewColors, type Served } from "./explorer-browser.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-explorer-published-"));
const fileOf = (name: string) => publishedWeights(name).file;

/** A cache folder with these nets (random weights, small width unless said). */
async function cacheWith(dir: string, nets: { name: string; width?: number; seed?: number }[]): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  for (const n of nets) {
    const w = publishedWeights(n.name);
    if (w.format !== "caffemodel") throw new Error(`the fixtures here are .caffemodel files, not ${w.format}`);
    await randomCaffemodelFile(path.join(dir, w.file), w.model, { width: n.width ?? 1 / 16, classes: w.classes, ...(w.atOnce ? { atOnce: true } : {}), seed: n.seed ?? 7 });
  }
  return dir;
}

/** Scores that could tell two nets apart: not constant, and more than one class wins somewhere. */
function expectInformative(score: { data: Float32Array; shape: number[] }): void {
  const c = score.shape[2]!;
  let lo = Infinity;
  let hi = -Infinity;
  const winners = new Set<number>();
  for (let i = 0; i < score.data.length; i += c) {
    let best = 0;
    for (let k = 0; k < c; k++) {
      const v = score.data[i + k]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      if (v > score.data[i + best]!) best = k;
    }
    winners.add(best);
  }
  expect(hi - lo).toBeGreaterThan(0);
  expect(winners.size).toBeGreaterThan(1);
}

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("explorer: the published nets in the manifest and on the server", () => {
  test("the manifest lists exactly the cached nets with the registry's facts, and copies none of them into the build", async () => {
    const cache = await cacheWith(path.join(tmp, "listing"), [{ name: "pascalcontext-fcn8s" }, { name: "vgg16" }, { name: "voc-fcn8s" }]);
    // Not nets: an interrupted download of voc-fcn32s, its checksum file, a stray file.
    fs.writeFileSync(path.join(cache, `${fileOf("voc-fcn32s")}.part`), "partial");
    fs.writeFileSync(path.join(cache, `${fileOf("voc-fcn8s")}.sha256`), `${"0".repeat(64)}  ${fileOf("voc-fcn8s")}\n`);
    fs.writeFileSync(path.join(cache, "notes.txt"), "hello");
    process.env.FCN_VIZ_CACHE = cache;
    const publicDir = path.join(tmp, "listing-public");
    const { manifest } = await generatePublic({ publicDir });
    // The registry's order (voc-fcn8s before pascalcontext-fcn8s), whatever the disk's.
    expect(manifest.published.cached.map((p) => p.name)).toEqual(["voc-fcn8s", "pascalcontext-fcn8s", "vgg16"]);
    expect(manifest.published.cacheDir).toBe(cache);
    for (const p of manifest.published.cached) {
      const w = publishedWeights(p.name);
      expect(p).toMatchObject({ description: w.description, model: w.model, classes: w.classes, licence: w.licence, file: w.file, url: `published/${p.name}` });
      expect(p.bytes).toBe(fs.statSync(path.join(cache, w.file)).size);
    }
    expect(manifest.published.cached[0]!.classNames).toEqual(VOC_CLASS_NAMES);
    expect(manifest.published.cached[1]!.classNames).toEqual(PASCAL_CONTEXT_CLASS_NAMES);
    expect(manifest.published.cached[1]!.classes).toBe(60);
    expect(manifest.published.cached[2]).toMatchObject({ model: "vgg16", classes: 1000 });
    // Served from the cache, not copied: no weights file of theirs in the build's public folder.
    const big = filesUnder(publicDir).filter((f) => /\.caffemodel$/.test(f) || fs.statSync(f).size > 50e6);
    expect(big).toEqual([]);

    // An empty cache: nothing listed; the folder looked in is named (the page's hint says it).
    const empty = path.join(tmp, "empty");
    fs.mkdirSync(empty);
    process.env.FCN_VIZ_CACHE = empty;
    expect(await publishedListing()).toEqual({ cacheDir: empty, cached: [] });
  });

  test("the server hands out the cached bytes as they are, 404s the rest with the fetch command, and its manifest follows the cache", async () => {
    const cache = await cacheWith(path.join(tmp, "serving"), [{ name: "voc-fcn8s" }]);
    process.env.FCN_VIZ_CACHE = cache;
    const site = path.join(tmp, "site");
    fs.mkdirSync(site, { recursive: true });
    fs.writeFileSync(path.join(site, "manifest.json"), JSON.stringify({ samples: [], published: { cacheDir: "stale", cached: [] } }));
    const s = await serveStatic(site);
    try {
      const r = await fetch(`${s.url}published/voc-fcn8s`);
      expect(r.status).toBe(200);
      expect(Number(r.headers.get("content-length"))).toBe(fs.statSync(path.join(cache, fileOf("voc-fcn8s"))).size);
      expect(Buffer.from(await r.arrayBuffer()).equals(fs.readFileSync(path.join(cache, fileOf("voc-fcn8s"))))).toBe(true);

      const missing = await fetch(`${s.url}published/voc-fcn32s`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain("npx fcn-viz fetch voc-fcn32s");
      // Only registry names map to files: no way out of the cache, no other file in it.
      for (const bad of ["published/..%2F..%2Fetc%2Fpasswd", `published/${fileOf("voc-fcn8s")}`, "published/notes.txt"]) {
        expect([403, 404], bad).toContain((await fetch(`${s.url}${bad}`)).status);
      }

      const listed = async () => ((await (await fetch(`${s.url}manifest.json`)).json()) as { published: { cached: { name: string }[] } }).published.cached.map((p) => p.name);
      expect(await listed()).toEqual(["voc-fcn8s"]);
      // Fetched while the explorer runs: on the next load of the page.
      await cacheWith(cache, [{ name: "voc-fcn16s" }]);
      expect(await listed()).toEqual(["voc-fcn16s", "voc-fcn8s"]);
      fs.rmSync(path.join(cache, fileOf("voc-fcn8s")));
      expect(await listed()).toEqual(["voc-fcn16s"]);
      expect((await fetch(`${s.url}published/voc-fcn8s`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

// ---------------------------------------------------------------------------------------

describe("explorer in headless chromium: the authors' nets from the weights cache", () => {
  let served: Served | null = null;
  let browser: Browser | null = null;
  let prepError: Error | null = null;
  const pageErrors: string[] = [];
  const small = path.join(tmp, "small-cache");
  const full = path.join(tmp, "full-cache");
  const empty = path.join(tmp, "empty-cache");

  beforeAll(async () => {
    if (chromiumMissing) return;
    try {
      await cacheWith(small, [{ name: "voc-fcn8s" }, { name: "voc-fcn8s-atonce", seed: 9 }, { name: "pascalcontext-fcn8s", seed: 8 }, { name: "vgg16" }]);
      fs.mkdirSync(empty, { recursive: true });
      served = await buildAndServe({ cache: small });
      browser = await launch();
    } catch (e) {
      prepError = e as Error;
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await served?.close();
  });

  const ready = (ctx: { skip: (why: string) => void }) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
  };

  const newPage = async (): Promise<Page> => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    // Every text the busy overlay shows, to see the download's progress afterwards.
    await page.addInitScript(() => {
      const log: string[] = ((window as unknown as { __busyLog: string[] }).__busyLog = []);
      new MutationObserver(() => {
        const t = document.getElementById("busy-text")?.textContent;
        if (t && log[log.length - 1] !== t) log.push(t);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    return page;
  };

  /** The same cached net (loadWeights by name: FCN_VIZ_CACHE) and input through Node's library on `backend`: the page's reference. */
  async function nodeScores(name: string, rgb: Uint8Array, size: readonly [number, number], backend: "cpu" | "wasm") {
    await useBackend(backend);
    const weights = await loadWeights(name);
    const lm = loadModel("fcn8s", { kind: "file", file: weights, label: "node" });
    try {
      const pass = await runPass(lm, { width: size[1], height: size[0], rgb });
      return { pass, lm: { spec: lm.spec, classNames: lm.classNames } };
    } finally {
      lm.model.dispose();
    }
  }

  test("voc-fcn8s from the cache: first in the menu, chosen by default and by the URL, on webgl equal to Node on the same .caffemodel, VOC's names, no digit warning", async (ctx) => {
    ready(ctx);
    const page = await newPage();
    // By default (no weights in the URL): the authors' FCN-8s, on a photo.
    const first = await openExplorer(page, served!.url, { autorun: 0 });
    expect(first.weights).toBe("published:voc-fcn8s");
    expect(await page.locator("#sample").inputValue()).toBe("samples/chelsea.png");
    expect(await page.locator("#model").inputValue()).toBe("fcn8s");
    // The menu: the cached published FCNs first (registry order), then the trained models, random, a file.
    const values = first.weightsOptions.map(([v]) => v);
    expect(values.slice(0, 3)).toEqual(["published:voc-fcn8s", "published:voc-fcn8s-atonce", "published:pascalcontext-fcn8s"]);
    // VGG16 is cached too, but it is a classifier: listed in the manifest, not offered.
    expect(values).not.toContain("published:vgg16");
    expect(values.indexOf("random")).toBeGreaterThan(2);
    expect(values.filter((v) => v.startsWith("project:")).every((v) => values.indexOf(v) > 2)).toBe(true);
    expect(first.weightsOptions[0]![1]).toBe("FCN-8s · authors' voc-fcn8s (21 classes)");
    expect(first.weightsOptions[1]![1]).toBe("FCN-8s at-once · authors' voc-fcn8s-atonce (21 classes)");
    expect(first.weightsOptions[2]![1]).toBe("FCN-8s · authors' pascalcontext-fcn8s (60 classes)");
    expect(first.weightsHint).toBeNull();
    const vgg = await openExplorer(page, served!.url, { weights: "published:vgg16", autorun: 0 });
    expect(vgg.messages.join(" ")).toContain("vgg16 is not an FCN (VGG16, the ImageNet classifier");
    expect(vgg.weights).toBe("published:voc-fcn8s");

    const st = await openExplorer(page, served!.url, { weights: "published:voc-fcn8s", sample: "chelsea", maxSide: 160, backend: "webgl" });
    expect(st.error).toBeNull();
    expect(st.backend).toBe("webgl");
    expect([st.model, st.width, st.classes]).toEqual(["fcn8s", 1 / 16, 21]);
    expect(st.classNames).toEqual(VOC_CLASS_NAMES);
    expect(st.banner).toBeNull();
    expect(st.messages.join(" ")).not.toMatch(/digits|means little/);
    // The Caffe preprocessing the file implies (BGR, 0..255, the Caffe means).
    expect(st.preprocess).toMatchObject({ channelOrder: "BGR", scale: 1 });
    expect(st.publishedLoad).toMatchObject({ name: "voc-fcn8s", bytes: fs.statSync(path.join(small, fileOf("voc-fcn8s"))).size });
    const status = await textOf(page, "#st-weights");
    expect(status).toContain("the authors' voc-fcn8s");
    expect(status).toContain("background, aeroplane, bicycle, bird, boat, bottle");
    expect(status).toContain(fileOf("voc-fcn8s"));
    expect(st.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);

    // The page's input is the library's decode + the deterministic resize; its scores and
    // every stage equal Node's on the same file.
    const [h, w] = st.input!;
    const rgb = await pageInput(page);
    const chelsea = decodeImage(fs.readFileSync(path.join(ROOT, "sample-images", "chelsea.png")));
    expect(Buffer.from(rgb).equals(Buffer.from(resizeRgb(chelsea, h, w).rgb))).toBe(true);
    const ref = await nodeScores("voc-fcn8s", rgb, [h, w], "cpu");
    expectInformative(await pageTap(page, "score"));
    for (const name of ["score_fr", "upscore2", "fuse_pool4", "fuse_pool3", "score"]) {
      const got = await pageTap(page, name);
      expect(got.shape, name).toEqual([...ref.pass.taps.get(name)!.shape]);
      const d = relDiff(got.data, ref.pass.taps.get(name)!.data);
      if (name === "score") console.log(`[explorer-published] voc-fcn8s (width 1/16) webgl vs Node cpu, score: max relative difference ${d.toExponential(2)}`);
      expect(d, name).toBeLessThan(1e-4);
    }
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-published-voc.png"), fullPage: true });

    // The at-once net from the menu: the file says it is one, so the page builds the net that
    // scales pool4 by 0.01 and pool3 by 0.0001 before their score layers, as Node does.
    await page.selectOption("#weights", "published:voc-fcn8s-atonce");
    await page.waitForFunction((n) => window.__explorer.state().runs > n && !window.__explorer.busy(), st.runs, { timeout: 120_000, polling: 250 });
    const ao = await page.evaluate(() => window.__explorer.state());
    expect(ao.error).toBeNull();
    expect(await textOf(page, "#st-weights")).toContain("FCN-8s at-once");
    const aoScore = await pageTap(page, "score");
    const aoRef = await nodeScores("voc-fcn8s-atonce", rgb, [h, w], "cpu");
    expect(aoRef.lm.spec.nodes.filter((n) => n.op.type === "scale").map((n) => n.name)).toEqual(["scale_pool4", "scale_pool3"]);
    expect(relDiff(aoScore.data, aoRef.pass.taps.get("score")!.data)).toBeLessThan(1e-4);

    // PASCAL-Context from the menu: its 60 names (the registry's, joined to the file's metadata).
    const runs = ao.runs;
    await page.selectOption("#weights", "published:pascalcontext-fcn8s");
    await page.waitForFunction((n) => window.__explorer.state().runs > n && !window.__explorer.busy(), runs, { timeout: 120_000, polling: 250 });
    const pc = await page.evaluate(() => window.__explorer.state());
    expect(pc.error).toBeNull();
    expect([pc.model, pc.classes]).toEqual(["fcn8s", 60]);
    expect(pc.classNames).toEqual(PASCAL_CONTEXT_CLASS_NAMES);
    expect(pc.publishedLoad?.name).toBe("pascalcontext-fcn8s");
    expect((await pageTap(page, "score")).shape).toEqual([h, w, 60]);

    // Another architecture: no FCN-32s is cached here, so it takes the project's trained one and says so.
    await page.selectOption("#model", "fcn32s");
    await page.waitForFunction((n) => window.__explorer.state().runs > n && !window.__explorer.busy(), pc.runs, { timeout: 120_000, polling: 250 });
    const st32 = await page.evaluate(() => window.__explorer.state());
    expect(st32.model).toBe("fcn32s");
    expect(st32.weights.startsWith("published:")).toBe(false);
    expect(st32.messages.join(" ")).toContain("pascalcontext-fcn8s holds FCN-8s weights; for FCN-32s the page took");
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  test("voc-fcn8s on images the user opens: a photo gets no warning and VOC's colours; a digit scene gets the 'learned photos' warning", async (ctx) => {
    ready(ctx);
    process.env.FCN_VIZ_CACHE = small; // the server reads the cache at each request
    const page = await newPage();
    await openExplorer(page, served!.url, { weights: "published:voc-fcn8s", maxSide: 96, backend: "webgl", autorun: 0 });
    const message = async () => ((await page.locator("#message").isVisible()) ? await textOf(page, "#message") : "");
    const dir = path.join(tmp, "opened");
    fs.mkdirSync(dir, { recursive: true });
    const photo = path.join(dir, "holiday.png");
    fs.copyFileSync(path.join(ROOT, "sample-images", "coffee.png"), photo);
    await page.setInputFiles("#image-file", photo);
    const st = await afterRun(page, 0);
    expect(st.error).toBeNull();
    expect(st.classNames).toEqual(VOC_CLASS_NAMES);
    expect(await page.locator("#sample option:checked").textContent()).toBe("your image: holiday.png");
    expect(await message()).not.toMatch(/means little|digit/);
    // VOC's names keep VOC's colours (label L's bits interleaved into R, G, B): the view and the legend.
    const { present, off } = await viewColors(page, await pageTap(page, "score"), (l) => vocColor(l));
    expect(present.size).toBeGreaterThan(1);
    expect(off).toEqual([]);
    const legend = await legendColors(page, VOC_CLASS_NAMES);
    expect(legend.length).toBeGreaterThan(1);
    for (const { text, label, color } of legend) {
      expect(label, text).toBeGreaterThanOrEqual(0);
      expect(color, text).toBe(`rgb(${vocColor(label).join(", ")})`);
    }

    // A digit scene the user opens: judged by its pixels (grey, mostly black), and the warning says so.
    const scene = path.join(dir, "scan.png");
    fs.copyFileSync(path.join(MODELS_DIR, "samples", "test-scene-0.png"), scene);
    await page.setInputFiles("#image-file", scene);
    const st2 = await afterRun(page, st.runs);
    expect(st2.error).toBeNull();
    expect(await message()).toMatch(/^The authors' voc-fcn8s learned photos \(FCN-8s, PASCAL VOC \(21 classes\)\); on a digit scene its output means little: pick a photo\. Your image scan\.png counts as a digit scene: it is grey and mostly black \(\d+% of its pixels\)/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-published-opened-scene-warning.png") });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test("a full-width voc-fcn8s (~540 MB) from the cache: downloaded with progress, read in the page, run on WASM, equal to Node's WASM pass on the same file", async (ctx) => {
    ready(ctx);
    await cacheWith(full, [{ name: "voc-fcn8s", width: 1, seed: 11 }]);
    const file = path.join(full, fileOf("voc-fcn8s"));
    const bytes = fs.statSync(file).size;
    expect(bytes).toBeGreaterThan(500e6);
    process.env.FCN_VIZ_CACHE = full; // the server reads the cache at each request
    const page = await newPage();
    const st = await openExplorer(page, served!.url, { weights: "published:voc-fcn8s", sample: "chelsea", maxSide: 128, backend: "wasm" });
    console.log(`[explorer-published] full-width voc-fcn8s (${(bytes / 1e6).toFixed(0)} MB) in the page: download ${st.publishedLoad?.downloadMs.toFixed(0)} ms, read ${st.publishedLoad?.parseMs.toFixed(0)} ms, pass ${st.passMs?.toFixed(0)} ms on ${st.backend}`);
    expect(st.error).toBeNull();
    expect([st.backend, st.model, st.width, st.classes]).toEqual(["wasm", "fcn8s", 1, 21]);
    expect(st.publishedLoad).toMatchObject({ name: "voc-fcn8s", bytes });
    // The overlay said what it was loading, with the size and a percentage that moved.
    const log = await page.evaluate(() => (window as unknown as { __busyLog: string[] }).__busyLog);
    const progress = log.filter((t) => /^Loading voc-fcn8s \(\d+(\.\d)? MB\)… \d+%/.test(t));
    expect(progress.length, log.join(" | ")).toBeGreaterThan(0);
    expect(log.some((t) => t.startsWith(`Reading ${fileOf("voc-fcn8s")}`)), log.join(" | ")).toBe(true);

    const [h, w] = st.input!;
    const ref = await nodeScores("voc-fcn8s", await pageInput(page), [h, w], "wasm");
    const score = await pageTap(page, "score");
    expectInformative(score);
    const d = relDiff(score.data, ref.pass.taps.get("score")!.data);
    console.log(`[explorer-published] full width, page wasm vs Node wasm, score: max relative difference ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-4);
    expect(st.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-published-full-width.png"), fullPage: true });
    await page.close();
    fs.rmSync(full, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  }, 300_000);

  test("a .caffemodel opened as 'your weights file' (an FCN-16s the user has): read in the page, the model follows it, the same scores as Node", async (ctx) => {
    ready(ctx);
    const file = path.join(tmp, "my-fcn16s.caffemodel");
    await randomCaffemodelFile(file, "fcn16s", { width: 1 / 16, classes: 21, seed: 5 });
    const page = await newPage();
    const before = await openExplorer(page, served!.url, { weights: "random", sample: "chelsea", maxSide: 96, backend: "webgl", autorun: 0 });
    expect(before.runs).toBe(0);
    await page.setInputFiles("#weights-file", file);
    await page.waitForFunction(() => window.__explorer.state().runs > 0 && !window.__explorer.busy(), null, { timeout: 120_000, polling: 250 });
    const st = await page.evaluate(() => window.__explorer.state());
    expect(st.error).toBeNull();
    expect(st.weightsLabel).toBe("your file: my-fcn16s.caffemodel");
    expect([st.model, st.width, st.classes]).toEqual(["fcn16s", 1 / 16, 21]);
    expect(st.messages.join(" ")).toContain("The model was switched to FCN-16s to match it.");
    expect(st.preprocess).toMatchObject({ channelOrder: "BGR", scale: 1 });
    await useBackend("cpu");
    const lm = loadModel("fcn16s", { kind: "file", file: await readWeights(file), label: "node" });
    try {
      const pass = await runPass(lm, { width: st.input![1], height: st.input![0], rgb: await pageInput(page) });
      expect(relDiff((await pageTap(page, "score")).data, pass.taps.get("score")!.data)).toBeLessThan(1e-4);
    } finally {
      lm.model.dispose();
    }
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test("an empty cache: the menu and a line under it say how to get the authors' FCN-8s; asking for it by URL says it is not cached", async (ctx) => {
    ready(ctx);
    process.env.FCN_VIZ_CACHE = empty;
    const page = await newPage();
    const st = await openExplorer(page, served!.url, { autorun: 0 });
    const size = sizeText(publishedWeights("voc-fcn8s"));
    const hint = st.weightsOptions.find(([v]) => v.startsWith("published:"));
    expect(hint).toEqual(["published:none", `none in the cache: npx fcn-viz fetch voc-fcn8s (${size}), then reload`, true]);
    expect(st.weightsOptions.filter(([v]) => v.startsWith("published:"))).toHaveLength(1);
    expect(st.weightsHint).toContain("npx fcn-viz fetch voc-fcn8s");
    expect(st.weightsHint).toContain(size);
    expect(await page.locator("#weights-hint").getAttribute("title")).toContain(empty);
    expect(await page.locator("#weights-hint").isVisible()).toBe(true);
    expect(st.weights.startsWith("published:")).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-published-empty-cache.png") });

    const asked = await openExplorer(page, served!.url, { weights: "published:voc-fcn8s", autorun: 0 });
    expect(asked.weights.startsWith("published:")).toBe(false);
    expect(asked.messages.join(" ")).toContain(`voc-fcn8s is not in the weights cache (${empty}): npx fcn-viz fetch voc-fcn8s (${size}) gets it; then reload.`);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
