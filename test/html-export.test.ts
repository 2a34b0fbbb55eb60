/**
 * `npm run notebooks:html` reads offline: the page loads nothing from a CDN, MathJax comes
 * from the copy next to the page, and in headless chromium with the network cut off the
 * formulas are typeset and the plotly figure is drawn (its static view replaced). The page
 * is rendered from a notebook written here, with the outputs viz/tslab.ts sends, so no
 * kernel runs. Screenshot: out/screenshots/html-export.png.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { exportHtml, MATHJAX_URL } from "../scripts/notebooks-html.mjs";
import { ensureSetup, ROOT } from "../scripts/notebook-env.mjs";
import { displayBundle, interactiveScores } from "../viz/index.js";
import { syntheticScores } from "../viz/synthetic.js";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from "./support/chromium.js";

const REQUIRED = process.env.CI === "true" || process.env.CI === "1" || process.env.FCN_VIZ_REQUIRE_BROWSER === "1";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-html-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function notebook(): string {
  const fig = interactiveScores(syntheticScores(6, 6), { name: "score_fr (synthetic)" });
  const { data, metadata } = displayBundle(fig, { plotlyJs: "inline" });
  const nb = {
    cells: [
      { cell_type: "markdown", id: "md", metadata: {}, source: "Inline $y = \\sum_{i} w_i x_i$ and displayed:\n\n$$\\mathrm{IU} = \\frac{n_{ii}}{t_i + \\sum_j n_{ji} - n_{ii}}$$" },
      { cell_type: "code", id: "fig", metadata: {}, execution_count: 1, source: "show(interactiveScores(scores));", outputs: [{ output_type: "display_data", data, metadata }] },
    ],
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const file = path.join(tmp, "offline.ipynb");
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

describe("HTML export", () => {
  let page = "";

  it("loads nothing from a CDN and MathJax from the copy next to the page", async () => {
    await ensureSetup({ quiet: true });
    [page] = exportHtml([notebook()], path.join(tmp, "html"));
    const html = fs.readFileSync(page!, "utf8");
    expect(fs.existsSync(path.join(tmp, "html", MATHJAX_URL))).toBe(true);
    expect(fs.existsSync(path.join(tmp, "html", "mathjax", "LICENSE"))).toBe(true);
    expect(html).toMatch(new RegExp(`<script (defer(="")? )?src="${MATHJAX_URL}"`));
    // Inlined plotly.js names map-tile and icon servers it would use only for map traces; look at the rest.
    const rest = html.replace(/<script type="text\/javascript">\/\*\*\s*\* plotly\.js v[\s\S]*?<\/script>/, "");
    expect(rest.length).toBeLessThan(html.length - 1_000_000);
    expect(rest).not.toMatch(/cdnjs|unpkg|jsdelivr|mathjax\.org|googleapis/i);
    const loads = [...rest.matchAll(/<(?:script|link|img|iframe)\b[^>]*\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(loads.filter((u) => /^(https?:)?\/\//i.test(u)), "URLs the page loads").toEqual([]);
    expect(rest).not.toMatch(/import\(\s*["']https?:/);
  }, 120_000);

  it("typesets the formulas and draws the plotly figure in chromium with the network cut off", async (ctx) => {
    if (chromiumMissing) {
      if (REQUIRED) throw new Error(`${chromiumMissing}; CI must run this test`);
      ctx.skip(chromiumMissing);
    }
    expect(page, "the export test ran first").not.toBe("");
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const external: string[] = [];
      await p.route(/^(https?|wss?):/, (route) => {
        external.push(route.request().url());
        return route.abort();
      });
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(String(e)));
      await p.goto(pathToFileURL(page).href, { waitUntil: "load" });
      await p.waitForFunction(() => document.querySelectorAll("mjx-container svg").length >= 2, undefined, { timeout: 60_000 });
      await p.locator(".fcn-viz-plotly .main-svg").first().waitFor({ timeout: 60_000 });
      const state = await p.evaluate(() => ({
        display: document.querySelectorAll('mjx-container[display="true"]').length,
        inline: document.querySelectorAll('mjx-container:not([display="true"])').length,
        rawDollars: [...document.querySelectorAll(".jp-MarkdownOutput")].some((e) => /\$/.test(e.textContent ?? "")),
        fallbackImg: document.querySelectorAll(".fcn-viz-plotly img").length,
      }));
      fs.mkdirSync(path.join(ROOT, "out", "screenshots"), { recursive: true });
      await p.screenshot({ path: path.join(ROOT, "out", "screenshots", "html-export.png"), fullPage: true });
      expect(state).toEqual({ display: 1, inline: 1, rawDollars: false, fallbackImg: 0 });
      expect(external, "requests to the network").toEqual([]);
      expect(errors, "uncaught errors in the page").toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
