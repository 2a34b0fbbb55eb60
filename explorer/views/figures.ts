/**
 * Every stage, as figures (figures.ts draws them with viz/): the coarse map, the
 * upsampling, the skip fusions, the overlay, and the receptive field of the pinned pixel;
 * the class menu of figures 2 and 3.
 */
import type { ExplorerController } from "../controller/controller.js";
import type { Result } from "../controller/state.js";
import type { StageFigure } from "../figures.js";
import { escapeHtml } from "../format.js";
import { $, changed, type View } from "./dom.js";

const RF_PLACEHOLDER = `<article class="figure" data-figure="receptive-field"><h3>5. Receptive field</h3><p class="empty">Click a pixel of the result to draw the receptive field and stride cell of the coarse cell under it.</p></article>`;

export function figuresView(c: ExplorerController): View {
  const figClass = $<HTMLSelectElement>("fig-class");
  const list = $("figure-list");
  figClass.addEventListener("change", () => c.chooseFigureClass(Number(figClass.value)));
  return (s, prev) => {
    if (s.result && changed(s, prev, "result")) figClass.innerHTML = classOptions(s.result);
    if (s.result && changed(s, prev, "result", "figClass")) figClass.value = String(s.figClass);
    const figures = s.figures;
    if (figures && changed(s, prev, "figures")) {
      list.innerHTML =
        "error" in figures ? `<p class="message error">${escapeHtml(figures.error)}</p>` : figures.figs.map(figureCard).join("") + `<div id="rf-slot">${RF_PLACEHOLDER}</div>`;
    }
    if (s.receptiveField && changed(s, prev, "figures", "receptiveField")) {
      const slot = document.getElementById("rf-slot");
      if (slot) slot.innerHTML = figureCard(s.receptiveField);
    }
  };
}

/** The classes with their share of the output's pixels. */
function classOptions(r: Result): string {
  const counts = new Map<number, number>();
  for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const names = r.lm.classNames.names;
  return names.map((n, i) => `<option value="${i}">${i} ${escapeHtml(n)}${counts.has(i) ? ` (${((100 * counts.get(i)!) / r.labels.length).toFixed(0)}%)` : ""}</option>`).join("");
}

function figureCard(f: StageFigure): string {
  return `<article class="figure" data-figure="${f.id}"><h3>${escapeHtml(f.title)}</h3><p>${escapeHtml(f.caption)}</p><div class="svg">${f.svg}</div></article>`;
}
