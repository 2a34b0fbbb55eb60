/**
 * `npm start` as a student meets it (scripts/start.mjs, the project's venv and kernel), in
 * headless chromium: a notebook with a plotly figure is interactive at its first paint (no
 * still picture waiting for the mouse), its title clear of plotly's toolbar; JupyterLab does
 * not ask "get notified about news?"; the kernel answers JupyterLab's history request, so the
 * log has no "unknown msg_type" lines; and nothing lands in the home folder. The notebook is
 * written here with the outputs viz/tslab.ts sends (untrusted, as a freshly executed one is).
 * Screenshots: out/screenshots/lab-start-*.png. Without chromium the test is skipped with the
 * reason, except in CI (CI=true or FCN_VIZ_REQUIRE_BROWSER=1), where it fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureSetup, ROOT } from "../scripts/notebook-env.mjs";
import { displayBundle, interactiveScores } from "../viz/index.js";
import { syntheticScores } from "../viz/synthetic.js";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from "./support/chromium.js";
import { freePort, sleep, stopLab } from "./support/jupyter-lab.js";

const REQUIRED = process.env.CI === "true" || process.env.CI === "1" || process.env.FCN_VIZ_REQUIRE_BROWSER === "1";
const SCREENSHOTS = path.join(ROOT, "out", "screenshots");
const NOTEBOOK = "plotly-first-paint.ipynb";

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("npm start in headless chromium", () => {
  let tmp = "";
  let home = "";
  let lab: ChildProcess | null = null;
  let log = "";
  let base = "";
  let token = "";
  let browser: Browser | null = null;
  let prepError: Error | null = null;

  beforeAll(async () => {
    if (chromiumMissing) return;
    try {
      // The set-up first, with the real home (a rebuild runs npm, which keeps its own logs there).
      await ensureSetup({ quiet: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-start-"));
      home = path.join(tmp, "home");
      const served = path.join(tmp, "served");
      fs.mkdirSync(home);
      fs.mkdirSync(served);
      const fig = interactiveScores(syntheticScores(12, 12), { name: "score_fr (synthetic scores, a title long enough to need a second line under the toolbar)" });
      const { data, metadata } = displayBundle(fig, { plotlyJs: "inline" });
      const nb = {
        cells: [{ cell_type: "code", id: "fig", metadata: {}, execution_count: 1, source: "show(interactiveScores(scores));", outputs: [{ output_type: "display_data", data, metadata }] }],
        metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" }, language_info: { name: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      };
      fs.writeFileSync(path.join(served, NOTEBOOK), JSON.stringify(nb));
      const port = await freePort();
      token = randomBytes(24).toString("hex");
      base = `http://127.0.0.1:${port}`;
      lab = spawn(
        process.execPath,
        [path.join(ROOT, "scripts", "start.mjs"), `--ServerApp.root_dir=${served}`, "--ip=127.0.0.1", `--ServerApp.port=${port}`, "--ServerApp.port_retries=0", `--IdentityProvider.token=${token}`, "--no-browser"],
        { cwd: ROOT, env: { ...process.env, HOME: home, USERPROFILE: home }, stdio: ["ignore", "pipe", "pipe"] },
      );
      lab.stdout!.on("data", (d) => (log += d));
      lab.stderr!.on("data", (d) => (log += d));
      const t0 = performance.now();
      while (!/JupyterLab is running: /.test(log)) {
        if (lab.exitCode !== null) throw new Error(`npm start exited with ${lab.exitCode}:\n${log}`);
        if (performance.now() - t0 > 90_000) throw new Error(`JupyterLab did not start within 90 s:\n${log}`);
        await sleep(250);
      }
    } catch (e) {
      prepError = e as Error;
    }
  }, 10 * 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stopLab(lab, base, token);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  test("plotly interactive at first paint, title clear of the toolbar, no news prompt, history answered, home untouched", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    // The kernel protocol over the websocket: JupyterLab's history_request and the kernel's reply.
    const frames = { historyRequests: 0, historyReplies: 0 };
    page.on("websocket", (ws) => {
      const text = (p: string | Buffer) => (typeof p === "string" ? p : p.toString("latin1"));
      ws.on("framesent", (f) => void (text(f.payload).includes('"history_request"') && frames.historyRequests++));
      ws.on("framereceived", (f) => void (text(f.payload).includes('"history_reply"') && frames.historyReplies++));
    });
    // A workspace of its own, reset: nothing restored from earlier sessions.
    await page.goto(`${base}/lab/workspaces/fcn-viz-start-test/tree/${NOTEBOOK}?reset&token=${token}`, { waitUntil: "domcontentloaded", timeout: 120_000 });
    const plot = page.locator(".jp-RenderedPlotly .main-svg").first();
    // Drawn without any mouse movement: jupyterlab-plotly draws on mouseenter only when it has a PNG to show first.
    await plot.waitFor({ state: "visible", timeout: 120_000 });
    const first = await page.evaluate(() => {
      const img = document.querySelector<HTMLImageElement>(".jp-RenderedPlotly .plot-img");
      return { stillPicture: !!img && getComputedStyle(img).display !== "none" && !!img.getAttribute("src") };
    });
    expect(first.stillPicture, "the plotly output shows a still picture").toBe(false);
    // The kernel is up and idle (it has been asked for its history by then).
    await page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first().waitFor({ state: "attached", timeout: 120_000 }).catch(() => {});
    await expect.poll(() => frames.historyReplies, { timeout: 60_000, message: "history_reply from the kernel" }).toBeGreaterThan(0);
    await sleep(3000); // the news question is a toast raised after the app is restored
    const newsPrompt = await page.getByText("get notified about official Jupyter news", { exact: false }).count();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "lab-start-first-paint.png") });
    // Hover: the toolbar appears; it must not cover the title.
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);
    await page.locator(".jp-RenderedPlotly .modebar").first().waitFor({ state: "visible", timeout: 10_000 });
    const boxes = await page.evaluate(() => {
      const r = (s: string) => document.querySelector(`.jp-RenderedPlotly ${s}`)!.getBoundingClientRect();
      const m = r(".modebar");
      const t = r(".gtitle");
      return { modebar: [m.left, m.top, m.right, m.bottom], title: [t.left, t.top, t.right, t.bottom], hover: !!document.querySelector(".jp-RenderedPlotly .hoverlayer .hovertext") };
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, "lab-start-hover.png"), clip: { x: box.x - 60, y: Math.max(0, box.y - 120), width: Math.min(1200, box.width + 300), height: Math.min(880, box.height + 160) } });
    const [ml, mt, mr, mb] = boxes.modebar;
    const [tl, tt, tr, tb] = boxes.title;
    const overlap = Math.max(0, Math.min(mr!, tr!) - Math.max(ml!, tl!)) * Math.max(0, Math.min(mb!, tb!) - Math.max(mt!, tt!));

    expect(newsPrompt, 'the "get notified about news?" toast').toBe(0);
    expect(overlap, `modebar ${JSON.stringify(boxes.modebar)} over title ${JSON.stringify(boxes.title)}`).toBe(0);
    expect(boxes.hover, "hover text on the plot").toBe(true);
    expect(frames.historyRequests, "JupyterLab asked for the history").toBeGreaterThan(0);
    expect(log).toMatch(/Kernel started/);
    expect(log).not.toMatch(/unknown msg_type/);
    expect(filesUnder(home), "files written in the home folder").toEqual([]);
    expect(pageErrors, "uncaught errors in the page").toEqual([]);
  }, 10 * 60_000);
});
