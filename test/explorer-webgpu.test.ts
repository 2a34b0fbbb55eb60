/**
 * The FCN explorer on WebGPU: headless Debian chromium with --enable-unsafe-webgpu
 * (SwiftShader's Vulkan here, the real GPU on a user's machine). Where the browser offers
 * no WebGPU adapter the test is skipped with the reason (FCN_VIZ_REQUIRE_WEBGPU=1 makes
 * that a failure). It runs what the page runs by default: the shipped trained FCN-8s
 * (models/fcn8s.safetensors) on models/samples/test-scene-0.png, and holds it to the same
 * file read by Node's readWeights/modelFromWeights on the cpu backend (1e-4).
 * The WebGL run and the Node-only checks are in test/explorer.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  buildAndServe,
  chromiumMissing,
  launch,
  MODELS_DIR,
  openExplorer,
  pageInput,
  pageTap,
  relDiff,
  REQUIRED,
  SCREENSHOTS,
  trainedReference,
  type Served,
  type TrainedReference,
} from "./explorer-browser.js";

const SHIPPED = path.join(MODELS_DIR, "fcn8s.safetensors");
const SCENE = path.join(MODELS_DIR, "samples", "test-scene-0.png");

describe("explorer in headless chromium, WebGPU", () => {
  let served: Served | null = null;
  let browser: Browser | null = null;
  let ref: TrainedReference | null = null;
  let prepError: Error | null = null;

  beforeAll(async () => {
    if (chromiumMissing) return;
    try {
      const missing = [SHIPPED, SCENE].filter((f) => !fs.existsSync(f));
      if (missing.length) throw new Error(`${missing.join(" and ")} missing: the trained weights ship in models/ (npx fcn-viz train all)`);
      served = await buildAndServe();
      browser = await launch(["--enable-unsafe-webgpu"]);
      ref = await trainedReference({ model: "fcn8s", weights: SHIPPED, sample: SCENE, taps: ["score_fr", "score_pool4", "score_pool3", "fuse_pool3", "score"] });
    } catch (e) {
      prepError = e as Error;
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await served?.close();
    ref?.model.dispose();
  });

  test("runs the shipped FCN-8s on webgpu and agrees with Node's cpu backend to 1e-4", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // Does this browser have a WebGPU adapter at all?
    await page.goto(`${served!.url}?autorun=0`);
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null> } }).gpu;
      if (!gpu) return "no navigator.gpu";
      const a = await gpu.requestAdapter();
      return a ? null : "navigator.gpu.requestAdapter() returned null";
    });
    if (adapter !== null) {
      if (process.env.FCN_VIZ_REQUIRE_WEBGPU === "1") throw new Error(`WebGPU did not come up in chromium: ${adapter}`);
      ctx.skip(`WebGPU did not come up in chromium --enable-unsafe-webgpu: ${adapter}`);
    }

    const st = await openExplorer(page, served!.url, { backend: "webgpu" }, 300_000);
    console.log(`[explorer] webgpu: ${st.detail}; compile ${st.compileMs === null ? "as it goes" : `${st.compileMs.toFixed(0)} ms`}, pass ${st.passMs?.toFixed(0)} ms`);
    expect(st.error).toBeNull();
    expect(await page.evaluate(() => window.__explorer.tfBackend())).toBe("webgpu");
    expect(st.detail).toMatch(/^webgpu on /);
    expect([st.model, st.weights, st.classes]).toEqual(["fcn8s", "project:models/fcn8s.safetensors", 11]);
    expect(st.preprocess).toEqual(ref!.file.meta.preprocess);
    expect(Buffer.from(await pageInput(page)).equals(Buffer.from(ref!.image.rgb))).toBe(true);
    for (const name of ["score", "score_fr", "fuse_pool3"]) {
      const got = await pageTap(page, name);
      const want = ref!.taps.get(name)!;
      expect(got.shape, name).toEqual([...want.shape]);
      const d = relDiff(got.data, want.data);
      if (name === "score") console.log(`[explorer] webgpu vs cpu, score: max relative difference ${d.toExponential(2)}`);
      expect(d, name).toBeLessThan(1e-4);
    }
    expect(st.figures.filter((f) => f.svgs > 0).map((f) => f.id)).toEqual(["coarse", "upsampling", "fusion", "overlay"]);

    // The hover panel works the same on this backend: the reference's logits at the pixel.
    const [x, y] = [60, 100];
    const at = await page.evaluate(([x, y]) => window.__explorer.pixelToClient(x, y), [x, y] as const);
    await page.mouse.click(at.x, at.y);
    await expect.poll(() => page.locator("#hover").getAttribute("data-x")).toBe(String(x));
    const residual = Number(await page.locator("#hover").getAttribute("data-residual"));
    const rows = await page.locator("#hover tr[data-class]").evaluateAll((trs) => trs.map((tr) => [Number(tr.getAttribute("data-class")), Number(tr.getAttribute("data-logit"))] as const));
    const score = ref!.taps.get("score")!;
    const [, w, c] = score.shape;
    const scale = Math.max(1, ...rows.map(([, v]) => Math.abs(v)));
    expect(rows).toHaveLength(c);
    for (const [k, v] of rows) expect(Math.abs(v - score.data[(y * w + x) * c + k]!) / scale, `class ${k}`).toBeLessThan(1e-4);
    expect(residual / scale).toBeLessThan(1e-4);

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "explorer-webgpu.png") });
    await page.close();
    expect(errors).toEqual([]);
  }, 420_000);
});
