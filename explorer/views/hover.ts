/**
 * The pixel panel: for the pixel under the mouse (or pinned), its class scores, what each
 * stream adds to them (a table and the top class's waterfall), where the streams' cells
 * sit, and the check that the streams sum to the logits.
 */
import type { ClassScore } from "fcn-viz";
import { fmtPos } from "fcn-viz/viz";
import type { PixelHover, Result } from "../controller/state.js";
import { escapeHtml, fmt, streamColor } from "../format.js";
import { $, changed, type View } from "./dom.js";

export function hoverView(): View {
  const panel = $("hover");
  return (s, prev) => {
    if (!s.result || !changed(s, prev, "result", "hover")) return;
    if (s.hover) drawPixel(panel, s.result, s.hover);
    else {
      panel.innerHTML = `<h2>Pixel</h2><p class="muted">Hover the result to inspect a pixel; click to pin it.</p>`;
      panel.removeAttribute("data-x");
    }
  };
}

function drawPixel(panel: HTMLElement, r: Result, { info: inf, pinned }: PixelHover): void {
  const streams = r.lm.streams;
  const head = streams.map((s) => `<th class="s${s.pool.slice(4)}" title="${s.source}: the ${s.pool} stream, stride ${s.stride}">${s.pool}</th>`).join("");
  const row = (s: ClassScore, i: number) =>
    `<tr class="${i === 0 ? "top" : ""}" data-class="${s.cls}" data-logit="${s.logit}" data-p="${s.p}" data-streams="${s.streams.join(",")}">` +
    `<td class="name"><i class="swatch" style="background:${r.colors.css(s.cls)}"></i> ${escapeHtml(s.name)}</td><td>${fmt(s.logit)}</td><td>${s.p.toFixed(3)}</td>` +
    s.streams.map((v, k) => `<td class="s${streams[k]!.pool.slice(4)}">${fmt(v)}</td>`).join("") +
    `</tr>`;
  const top = inf.scores.slice(0, 5);
  const rest = inf.scores.slice(5);
  const table = (rows: string) => `<table class="scores"><thead><tr><th>class</th><th>logit</th><th>p</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  const best = inf.scores[0]!;
  const cells = inf.cells
    .map((c) => {
      const [cy, cx] = c.centre;
      const [gh, gw] = r.pass.taps.get(c.stream.source)!.shape;
      return (
        `<li data-stream="${c.stream.pool}"><i class="key" style="background:${streamColor(c.stream.pool)}"></i><span><b>${c.stream.pool}</b> via <code>${c.stream.source}</code>: ` +
        `cell ${fmtPos(c.cell[0], c.cell[1])} of ${gh}×${gw}, centred on input pixel ${fmtPos(cy, cx)}; ` +
        `stride cell ${c.stream.stride}×${c.stream.stride} px, receptive field ${c.rf}×${c.rf} px</span></li>`
      );
    })
    .join("");
  panel.dataset.x = String(inf.x);
  panel.dataset.y = String(inf.y);
  panel.dataset.residual = String(inf.residual);
  panel.innerHTML =
    `<h2>Pixel ${fmtPos(inf.y, inf.x)}${pinned ? `<span class="pinned">pinned</span>` : ""}</h2>` +
    `<p class="where">Predicted: <i class="swatch" style="background:${r.colors.css(best.cls)}"></i> <b>${escapeHtml(best.name)}</b> (p ${best.p.toFixed(3)})</p>` +
    `<h3>Class scores, and what each stream adds</h3>` +
    table(top.map(row).join("")) +
    (rest.length ? `<details><summary>all ${inf.scores.length} classes</summary>${table(rest.map((s, i) => row(s, i + 5)).join(""))}</details>` : "") +
    waterfall(best, streams.map((s) => s.pool)) +
    `<h3>Where the streams look (drawn on the image)</h3><ul class="cells">${cells}</ul>` +
    `<p class="check">The output pixel's own receptive field: ${inf.outputRf}×${inf.outputRf} px. ` +
    `Check: the streams, upsampled on the CPU from the score taps, sum to the GPU's logits within ${inf.residual.toExponential(1)} (largest logit ${fmt(inf.scale)}).</p>`;
}

/** The top class's logit built up stream by stream, as a small bar chart. */
function waterfall(s: ClassScore, pools: string[]): string {
  const W = 400;
  const rowH = 16;
  const n = s.streams.length + 1;
  const H = n * rowH + 6;
  const ends: [number, number][] = [];
  let acc = 0;
  for (const v of s.streams) {
    ends.push([acc, acc + v]);
    acc += v;
  }
  ends.push([0, s.logit]);
  const lo = Math.min(0, ...ends.flat());
  const hi = Math.max(0, ...ends.flat());
  const L = 70;
  const R = W - 56;
  const X = (v: number) => L + ((v - lo) / (hi - lo || 1)) * (R - L);
  const labels = [...pools, "logit"];
  const bars = ends
    .map(([a, b], i) => {
      const y = 3 + i * rowH;
      const color = i < pools.length ? streamColor(pools[i]!) : "#444";
      const x0 = Math.min(X(a), X(b));
      const wd = Math.max(1, Math.abs(X(b) - X(a)));
      const v = i < pools.length ? s.streams[i]! : s.logit;
      return (
        `<text x="${L - 6}" y="${y + 11}" text-anchor="end" font-size="11" fill="#5f6b76">${labels[i]}</text>` +
        `<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${wd.toFixed(1)}" height="${rowH - 5}" fill="${color}"></rect>` +
        `<text x="${R + 6}" y="${y + 11}" font-size="11">${v >= 0 && i < pools.length ? "+" : ""}${fmt(v)}</text>`
      );
    })
    .join("");
  return (
    `<svg class="waterfall" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="how the ${escapeHtml(s.name)} logit is built">` +
    `<line x1="${X(0).toFixed(1)}" x2="${X(0).toFixed(1)}" y1="0" y2="${H}" stroke="#b9c2cc"></line>${bars}</svg>`
  );
}
