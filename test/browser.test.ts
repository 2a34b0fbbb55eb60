/**
 * The real client: an executed notebook opened in JupyterLab (from the project's venv) in
 * headless Debian chromium (playwright-core, never a downloaded browser), untrusted as a
 * freshly executed notebook is. Every figure output must render (an <img> with non-zero
 * size, or a plotly plot), and no error output may show. Screenshots go to out/screenshots/.
 * Without chromium the test is skipped with the reason, except in CI (CI=true or
 * FCN_VIZ_REQUIRE_BROWSER=1), where it fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT, isRoot, jupyterArgs, jupyterEnv, venvPython } from "../scripts/notebook-env.mjs";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from "./support/chromium.js";
import { freePort, sleep, stopLab } from "./support/jupyter-lab.js";

const NOTEBOOK = "00-smoke.ipynb";
const SCREENSHOTS = path.join(ROOT, "out", "screenshots");
/** CI (CI=true, or FCN_VIZ_REQUIRE_BROWSER=1 as .ci/run sets): a missing chromium fails instead of skipping. */
const REQUIRED = process.env.CI === "true" || process.env.CI === "1" || process.env.FCN_VIZ_REQUIRE_BROWSER === "1";

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  name?: string;
}

function runNode(script: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, "scripts", script), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Processes whose command line mentions `marker` (kernels started by our JupyterLab). */
function processesMentioning(marker: string): number[] {
  if (process.platform !== "linux") return [];
  const pids: number[] = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, "utf8").includes(marker)) pids.push(Number(d));
    } catch {}
  }
  return pids;
}


describe("JupyterLab in headless chromium", () => {
  let tmp = "";
  let lab: ChildProcess | null = null;
  let labLog = "";
  let base = "";
  let token = "";
  let browser: Browser | null = null;
  let executed: { cells: { cell_type: string; outputs?: Output[] }[] } | null = null;
  let prepError: Error | null = null;

  beforeAll(async () => {
    if (chromiumMissing) return;
    try {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-lab-"));
      const served = path.join(tmp, "served");
      fs.mkdirSync(served);
      // The same set-up the notebooks test runs (shared lock), then a fresh executed copy.
      const setup = await runNode("setup-notebooks.mjs", []);
      if (setup.code !== 0) throw new Error(`notebook set-up failed:\n${setup.out}`);
      const run = await runNode("run-notebooks.mjs", ["--no-setup", "--out", served, NOTEBOOK]);
      if (run.code !== 0) throw new Error(`executing ${NOTEBOOK} failed:\n${run.out}`);
      executed = JSON.parse(fs.readFileSync(path.join(served, NOTEBOOK), "utf8"));

      const port = await freePort();
      token = randomBytes(24).toString("hex");
      base = `http://127.0.0.1:${port}`;
      const args = [
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        `--port=${port}`,
        "--ServerApp.port_retries=0",
        `--IdentityProvider.token=${token}`,
        `--ServerApp.root_dir=${served}`,
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
      ];
      if (isRoot()) args.push("--allow-root");
      // No "get notified about Jupyter news?" toast over the screenshots.
      const settings = path.join(tmp, "jupyter", "config", "lab", "user-settings", "@jupyterlab", "apputils-extension");
      fs.mkdirSync(settings, { recursive: true });
      fs.writeFileSync(path.join(settings, "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false" }));
      // Fresh Jupyter folders: no notebook signatures (so the notebook is untrusted), no workspace.
      lab = spawn(venvPython(), jupyterArgs(...args), { cwd: served, env: jupyterEnv(process.env, path.join(tmp, "jupyter")), stdio: ["ignore", "pipe", "pipe"] });
      lab.stdout!.on("data", (d) => (labLog += d));
      lab.stderr!.on("data", (d) => (labLog += d));
      const t0 = performance.now();
      for (;;) {
        if (lab.exitCode !== null) throw new Error(`JupyterLab exited with ${lab.exitCode}:\n${labLog}`);
        try {
          const r = await fetch(`${base}/api/status`, { headers: { Authorization: `token ${token}` } });
          if (r.ok) break;
        } catch {}
        if (performance.now() - t0 > 90_000) throw new Error(`JupyterLab did not answer on ${base} within 90 s:\n${labLog}`);
        await sleep(250);
      }
      console.log(`[browser] JupyterLab up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      prepError = e as Error;
    }
  }, 20 * 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stopLab(lab, base, token);
    if (tmp) {
      // Kernels run in their own sessions; any left over carry our temp folder in their command line.
      for (const pid of processesMentioning(tmp)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  test(`every figure of an executed ${NOTEBOOK} renders in untrusted JupyterLab`, async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    if (prepError) throw prepError;
    const t0 = performance.now();

    // What the executed notebook holds: figures (display outputs with an image or HTML), errors.
    const outputs = executed!.cells.flatMap((c) => (c.cell_type === "code" ? (c.outputs ?? []) : []));
    const FIGURE_MIMES = ["image/png", "image/jpeg", "image/svg+xml", "text/html", "application/vnd.plotly.v1+json"];
    const figures = outputs.filter((o) => o.data && FIGURE_MIMES.some((m) => m in o.data!));
    expect(outputs.filter((o) => o.output_type === "error"), "error outputs in the executed notebook").toEqual([]);
    expect(figures.length, "the executed notebook has no figure outputs").toBeGreaterThan(0);

    // The server sees the notebook as untrusted (no signature in the fresh data folder).
    const model = (await (await fetch(`${base}/api/contents/${NOTEBOOK}?content=1`, { headers: { Authorization: `token ${token}` } })).json()) as {
      content: { cells: { cell_type: string; metadata: { trusted?: boolean } }[] };
    };
    const trusted = model.content.cells.filter((c) => c.cell_type === "code" && c.metadata.trusted === true);
    expect(trusted.length, "code cells the server marks trusted").toBe(0);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.goto(`${base}/lab/tree/${NOTEBOOK}?token=${token}`, { waitUntil: "domcontentloaded", timeout: 120_000 });
    await page.locator(".jp-NotebookPanel .jp-Cell").first().waitFor({ state: "visible", timeout: 120_000 });
    await page.locator(".jp-NotebookPanel .jp-OutputArea-output").first().waitFor({ state: "attached", timeout: 60_000 });

    // Visit every code cell (cells off screen are not laid out) and measure what its outputs show.
    const cells = page.locator(".jp-NotebookPanel .jp-Cell");
    await expect.poll(() => cells.count(), { timeout: 60_000 }).toBe(executed!.cells.length);
    const seen: { cell: number; mime: string | null; images: { w: number; h: number; natural: number }[]; plotly: number }[] = [];
    let n = 0;
    for (const [i, c] of executed!.cells.entries()) {
      if (c.cell_type !== "code" || !c.outputs?.length) continue;
      // JupyterLab shows consecutive stream outputs of the same stream as one.
      const expected = c.outputs.filter((o, k) => !(o.output_type === "stream" && k > 0 && c.outputs![k - 1]!.output_type === "stream" && c.outputs![k - 1]!.name === o.name)).length;
      const cell = cells.nth(i);
      await cell.scrollIntoViewIfNeeded();
      const outs = cell.locator(".jp-OutputArea-output");
      await expect.poll(() => outs.count(), { timeout: 30_000, message: `outputs of cell ${i + 1}` }).toBe(expected);
      for (let k = 0; k < expected; k++) {
        const out = outs.nth(k);
        await out.scrollIntoViewIfNeeded();
        await out.evaluate((el) => Promise.all(Array.from(el.querySelectorAll("img")).map((img) => img.decode().catch(() => {}))));
        const m = await out.evaluate((el) => ({
          mime: el.getAttribute("data-mime-type"),
          images: Array.from(el.querySelectorAll("img")).map((img) => {
            const r = img.getBoundingClientRect();
            return { w: r.width, h: r.height, natural: img.naturalWidth };
          }),
          plotly: Array.from(el.querySelectorAll(".js-plotly-plot")).filter((p) => p.getBoundingClientRect().width > 0).length,
        }));
        seen.push({ cell: i + 1, ...m });
        n++;
      }
    }
    const shown = seen.filter((s) => s.images.some((i) => i.w > 0 && i.h > 0 && i.natural > 0) || s.plotly > 0);
    const broken = seen.flatMap((s) => s.images).filter((i) => !(i.w > 0 && i.h > 0 && i.natural > 0));
    const errors = seen.filter((s) => s.mime === "application/vnd.jupyter.error");

    // Screenshots: the notebook at its first figure, and each figure output alone.
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const figs = page.locator(".jp-NotebookPanel .jp-OutputArea-output:has(img), .jp-NotebookPanel .jp-OutputArea-output:has(.js-plotly-plot)");
    const nf = await figs.count();
    for (let i = 0; i < nf; i++) {
      await figs.nth(i).scrollIntoViewIfNeeded();
      await figs.nth(i).screenshot({ path: path.join(SCREENSHOTS, `${path.basename(NOTEBOOK, ".ipynb")}-figure-${i + 1}.png`) });
    }
    if (nf) await figs.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, `${path.basename(NOTEBOOK, ".ipynb")}-lab.png`) });
    console.log(`[browser] ${shown.length}/${figures.length} figures shown (as ${[...new Set(shown.map((s) => s.mime))].join(", ")}), ${n} outputs, ${((performance.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, SCREENSHOTS)}/`);

    expect(errors, "error outputs shown in JupyterLab").toEqual([]);
    expect(broken, "images that did not render (zero size or not loaded)").toEqual([]);
    expect(shown.length, `figure outputs visible in JupyterLab (outputs seen: ${JSON.stringify(seen)})`).toBe(figures.length);
    expect(consoleErrors, "uncaught errors in the page").toEqual([]);
  }, 10 * 60_000);
});
