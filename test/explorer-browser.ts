/**
 * Shared by the explorer's browser tests: build the page into a temp folder, serve it on
 * 127.0.0.1, launch Debian's chromium through playwright-core (never a downloaded
 * browser; flags from TOOLCHAIN.md, as test/browser.test.ts), and compute the Node cpu
 * reference the page's output is compared with.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { decodeImage, modelFromWeights, readWeights, useBackend, withBilinear, type Model, type RgbImage, type WeightsFile } from "../src/node.js";
import type { NetSpec } from "../src/net/spec.js";
import type { DeconvWeights, HostMap } from "../src/analysis/index.js";
import { resizeRgb } from "../explorer/image.js";
import { planInput } from "../src/net/memory.js";
import { loadModel, runPass, type FcnModel, type LoadedModel, type PassResult } from "../explorer/pipeline.js";
import { buildExplorer, serveStatic, ROOT } from "../scripts/explorer.mjs";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from "./support/chromium.js";

export { CHROMIUM, CHROMIUM_ARGS, chromiumMissing };

export const SCREENSHOTS = path.join(ROOT, "out", "screenshots");
/**
 * The trained models the page is built with: the project's models/ (what ships). Tests
 * only: FCN_VIZ_MODELS_DIR points them at another set (e.g. one made by
 * `fcn-viz train all --preset smoke --models DIR`) while models/ is being rewritten.
 */
export const MODELS_DIR = process.env.FCN_VIZ_MODELS_DIR ? path.resolve(process.env.FCN_VIZ_MODELS_DIR) : path.join(ROOT, "models");
/** CI (CI=true, or FCN_VIZ_REQUIRE_BROWSER=1 as .ci/run sets): a missing chromium fails instead of skipping. */
export const REQUIRED = process.env.CI === "true" || process.env.CI === "1" || process.env.FCN_VIZ_REQUIRE_BROWSER === "1";

export interface Served {
  readonly url: string;
  readonly buildMs: number;
  close(): Promise<void>;
}

/**
 * Builds the page into a fresh temp folder (never the user's explorer/dist) and serves it.
 * The published nets come from the weights cache FCN_VIZ_CACHE names (the server reads it
 * at every request); unless `cache` is given it is an empty temp folder, so a net the user
 * fetched into ~/.cache/fcn-viz cannot change what the tests see.
 */
export async function buildAndServe(o: { modelsDir?: string; cache?: string } = {}): Promise<Served> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-explorer-test-"));
  const outDir = path.join(dir, "dist");
  const emptyCache = path.join(dir, "empty-cache");
  fs.mkdirSync(emptyCache);
  process.env.FCN_VIZ_CACHE = o.cache ?? emptyCache;
  const { ms } = await buildExplorer({ outDir, modelsDir: o.modelsDir ?? MODELS_DIR, quiet: true });
  const s = await serveStatic(outDir);
  return {
    url: s.url,
    buildMs: ms,
    close: async () => {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface PageState {
  backend: string | null;
  detail: string | null;
  maxTextureSize: number | null;
  model: string | null;
  width: number | null;
  classes: number | null;
  classNames: string[] | null;
  preprocess: { channelOrder: string; scale: number; mean: number[]; std: number[]; source: string } | null;
  weights: string;
  weightsLabel: string;
  weightsOptions: [string, string, boolean][];
  weightsHint: string | null;
  publishedLoad: { name: string; bytes: number; downloadMs: number; parseMs: number } | null;
  runs: number;
  banner: string | null;
  input: [number, number] | null;
  original: [number, number] | null;
  resizeReasons: string[];
  passMs: number | null;
  compileMs: number | null;
  readMs: number | null;
  figuresMs: number | null;
  error: string | null;
  messages: string[];
  figures: { id: string; svgs: number }[];
}

interface ExplorerApi {
  ready: Promise<void>;
  isReady(): boolean;
  busy(): boolean;
  run(): Promise<void>;
  state(): PageState;
  tfBackend(): string;
  inputRgb(): string | null;
  tap(name: string): { shape: number[]; data: string } | null;
  pixelToClient(x: number, y: number): { x: number; y: number };
}
declare global {
  interface Window {
    __explorer: ExplorerApi;
  }
}

/** Opens the page with these URL parameters and waits until its first run is done. */
export async function openExplorer(page: Page, base: string, query: Record<string, string | number>, timeout = 240_000): Promise<PageState> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  await page.goto(`${base}?${qs}`, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await page.waitForFunction(() => Boolean(window.__explorer), null, { timeout: 60_000 });
  await page.waitForFunction(() => window.__explorer.isReady(), null, { timeout, polling: 250 });
  return page.evaluate(() => window.__explorer.state());
}

export async function pageTap(page: Page, name: string): Promise<{ shape: number[]; data: Float32Array }> {
  const t = await page.evaluate((n) => window.__explorer.tap(n), name);
  if (!t) throw new Error(`the page has no tap ${name}`);
  const b = Buffer.from(t.data, "base64");
  return { shape: t.shape, data: new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) };
}

/** Text of the first element matching `selector` ("" when there is none). */
export async function textOf(page: Page, selector: string): Promise<string> {
  const loc = page.locator(selector);
  return (await loc.count()) ? ((await loc.first().textContent()) ?? "") : "";
}

export async function pageInput(page: Page): Promise<Uint8Array> {
  const s = await page.evaluate(() => window.__explorer.inputRgb());
  if (!s) throw new Error("the page has no input");
  return new Uint8Array(Buffer.from(s, "base64"));
}

/** Waits for the run after `runs` to end; the page's state then. */
export async function afterRun(page: Page, runs: number): Promise<PageState> {
  await page.waitForFunction((n) => window.__explorer.state().runs > n && !window.__explorer.busy(), runs, { timeout: 120_000, polling: 250 });
  return page.evaluate(() => window.__explorer.state());
}

/** Drops a file on the page as a user would (a drop event with the file in its DataTransfer), and waits for the run. */
export async function dropFile(page: Page, file: string, type: string, runs: number): Promise<PageState> {
  const data = fs.readFileSync(file).toString("base64");
  await page.evaluate(
    ([name, data, type]) => {
      const bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      window.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [path.basename(file), data, type] as const,
  );
  return afterRun(page, runs);
}

/**
 * Every enabled option of the page's menus, shown in its menu in turn: is the menu as
 * wide as the browser makes a menu holding just that label (its own measure of the text,
 * the padding and the arrow), and inside the window? Returns the labels that are cut.
 */
export async function menusCutting(page: Page): Promise<{ checked: number; cut: string[] }> {
  return page.evaluate(() => {
    const cut: string[] = [];
    let checked = 0;
    const vw = document.documentElement.clientWidth;
    for (const sel of document.querySelectorAll<HTMLSelectElement>("select")) {
      const keep = sel.selectedIndex;
      for (const [i, o] of [...sel.options].entries()) {
        if (o.disabled) continue;
        sel.selectedIndex = i;
        const ref = document.createElement("select");
        ref.style.cssText = "position: absolute; visibility: hidden; field-sizing: fixed; width: auto; max-width: none; min-width: 0";
        ref.add(new Option(o.text));
        sel.parentElement!.append(ref);
        const need = ref.getBoundingClientRect().width;
        ref.remove();
        const box = sel.getBoundingClientRect();
        checked++;
        // Chromium rounds the reference's width up to a whole pixel: 1 px of slack.
        if (box.width + 1 < need || box.right > vw + 0.5 || box.left < -0.5) cut.push(`#${sel.id} "${o.text}": ${box.width.toFixed(1)} px shown, ${need.toFixed(1)} px needed, right edge ${box.right.toFixed(0)} of ${vw}`);
      }
      sel.selectedIndex = keep;
    }
    return { checked, cut };
  });
}

/**
 * The result view at full overlay: the page's labels (argmax of `score`, computed here) and
 * every labelled pixel whose colour is not `colorOf(label)` (background is left clear).
 */
export async function viewColors(page: Page, score: { shape: number[]; data: Float32Array }, colorOf: (label: number) => readonly number[]): Promise<{ labels: Uint8Array; present: Set<number>; off: string[] }> {
  await page.locator("#opacity").fill("100");
  const [h, w, c] = score.shape as [number, number, number];
  const labels = new Uint8Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (score.data[i * c + k]! > score.data[i * c + best]!) best = k;
    labels[i] = best;
  }
  const view = await page.evaluate(() => {
    const v = document.getElementById("view") as HTMLCanvasElement;
    return { w: v.width, h: v.height, px: Array.from(v.getContext("2d")!.getImageData(0, 0, v.width, v.height).data) };
  });
  if (view.h !== h || view.w !== w) throw new Error(`the view is ${view.h}×${view.w}, the scores ${h}×${w}`);
  const present = new Set<number>();
  const off: string[] = [];
  for (let i = 0; i < h * w; i++) {
    const l = labels[i]!;
    if (l === 0) continue;
    present.add(l);
    const want = colorOf(l);
    const got = view.px.slice(4 * i, 4 * i + 3);
    if (want.some((v, k) => v !== got[k]) && off.length < 5) off.push(`pixel (row ${Math.floor(i / w)}, col ${i % w}), label ${l}: rgb(${got.join(", ")}), not rgb(${want.join(", ")})`);
  }
  return { labels, present, off };
}

/** The legend's entries: each swatch's colour by the class name it shows. */
export async function legendColors(page: Page, names: readonly string[]): Promise<{ text: string; label: number; color: string }[]> {
  const entries = await page.locator("#legend span").evaluateAll((els) => els.map((e) => ({ text: e.textContent!, color: getComputedStyle(e.querySelector(".swatch")!).backgroundColor })));
  // Longest name first: "digit 1" must not claim "digit 10"-like entries of other lists.
  const order = [...names.keys()].sort((a, b) => names[b]!.length - names[a]!.length);
  return entries.map((e) => ({ ...e, label: order.find((l) => e.text.startsWith(`${names[l]} `)) ?? -1 }));
}

/** max |a - b| / max |b|: the relative agreement used throughout (1e-4 is the bar). */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / (s || 1);
}

export interface Reference {
  readonly lm: LoadedModel;
  readonly pass: PassResult;
  readonly image: RgbImage;
  readonly ms: number;
}

/**
 * The same model, weights and input on Node's pure-JS cpu backend (the reference backend;
 * the benchmark passes "wasm" for the full-width net, which cpu would take minutes for).
 * `size` forces the input size instead of planning it from maxSide.
 */
export async function cpuReference(o: {
  model: FcnModel;
  sample: string;
  maxSide: number;
  width: number;
  classes: number;
  seed: number;
  backend?: "cpu" | "wasm";
  size?: readonly [number, number];
}): Promise<Reference> {
  const t0 = performance.now();
  await useBackend(o.backend ?? "cpu");
  const lm = loadModel(o.model, { kind: "random", width: o.width, classes: o.classes, seed: o.seed });
  const full = decodeImage(fs.readFileSync(path.join(ROOT, "sample-images", o.sample)));
  const plan = planInput(lm.spec, full.height, full.width, { maxSide: o.maxSide, upscale: true });
  const image = resizeRgb(full, o.size?.[0] ?? plan.height, o.size?.[1] ?? plan.width);
  const pass = await runPass(lm, image);
  return { lm, pass, image, ms: performance.now() - t0 };
}

export interface TrainedReference {
  readonly file: WeightsFile;
  readonly model: Model;
  readonly spec: NetSpec;
  /** The sample as the library decodes it (no resize). */
  readonly image: RgbImage;
  readonly taps: ReadonlyMap<string, HostMap>;
  /** Upsampling weights: the file's, or the bilinear kernel it leaves out (its metadata says which). */
  readonly deconv: DeconvWeights;
  readonly ms: number;
}

/**
 * A shipped model on Node's cpu backend through the library alone (readWeights,
 * modelFromWeights: the file's preprocessing and class count; Model.forward), on the
 * sample PNG decoded by the library at its own size: the reference the page is held to.
 */
export async function trainedReference(o: { model: FcnModel; weights: string; sample: string; taps: readonly string[] }): Promise<TrainedReference> {
  const t0 = performance.now();
  await useBackend("cpu");
  const file = await readWeights(o.weights);
  const model = modelFromWeights(o.model, file);
  const image = decodeImage(fs.readFileSync(o.sample));
  const input = model.inputFromImage(image);
  const out = model.forward(input, { taps: [...o.taps] });
  input.dispose();
  const taps = new Map<string, HostMap>();
  for (const [name, t] of Object.entries(out)) {
    taps.set(name, { data: (await t.data()) as Float32Array, shape: [t.shape[1]!, t.shape[2]!, t.shape[3]!] });
    t.dispose();
  }
  const host = withBilinear(file, model.spec);
  const deconv = new Map<string, Float32Array>();
  for (const n of model.spec.nodes) if (n.op.type === "deconv") deconv.set(n.name, host.get(`${n.name}.weight`)!.data as Float32Array);
  return { file, model, spec: model.spec, image: { width: image.width, height: image.height, rgb: image.rgb }, taps, deconv, ms: performance.now() - t0 };
}
