/**
 * The result view: the input with the segmentation laid over it (opacity slider), the
 * streams' cells and receptive fields of the pixel under the mouse drawn on it, the
 * legend, and the busy overlay. Mouse moves and clicks become pixels for the controller.
 */
import type { HoverInfo } from "fcn-viz";
import type { ExplorerController } from "../controller/controller.js";
import type { Result } from "../controller/state.js";
import { displayName, escapeHtml, streamColor } from "../format.js";
import { $, changed, type View } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";

export interface Viewer {
  readonly draw: View;
  /** Viewport coordinates of the centre of input pixel (x, y) (for the tests). */
  pixelToClient(x: number, y: number): { x: number; y: number };
}

export function viewerView(c: ExplorerController): Viewer {
  const ui = {
    view: $<HTMLCanvasElement>("view"),
    marks: document.getElementById("marks") as unknown as SVGSVGElement,
    wrap: $("canvas-wrap"),
    busy: $("busy"),
    busyText: $("busy-text"),
    caption: $("view-caption"),
    opacity: $<HTMLInputElement>("opacity"),
    legend: $("legend"),
  };

  /** The input pixel (x, y) under the mouse, if it is over the result. */
  const pixelAt = (ev: MouseEvent): [number, number] | null => {
    const r = c.state.result;
    if (!r) return null;
    const rect = ui.view.getBoundingClientRect();
    const x = Math.floor(((ev.clientX - rect.left) / rect.width) * r.pass.image.width);
    const y = Math.floor(((ev.clientY - rect.top) / rect.height) * r.pass.image.height);
    if (x < 0 || y < 0 || x >= r.pass.image.width || y >= r.pass.image.height) return null;
    return [x, y];
  };
  ui.view.addEventListener("mousemove", (ev) => {
    const at = pixelAt(ev);
    if (at) c.hoverPixel(at);
  });
  ui.view.addEventListener("click", (ev) => {
    const at = pixelAt(ev);
    if (at) c.clickPixel(at);
  });
  ui.opacity.addEventListener("input", () => c.setOpacity(Number(ui.opacity.value)));

  const draw: View = (s, prev) => {
    if (changed(s, prev, "opacity")) ui.opacity.value = String(s.opacity);
    if (s.result && changed(s, prev, "result", "opacity")) drawResult(ui, s.result, s.opacity);
    if (s.result && changed(s, prev, "result")) drawLegend(ui.legend, s.result);
    if (s.result && changed(s, prev, "result", "hover")) drawMarks(ui, s.hover?.info ?? null, s.result);
    if (changed(s, prev, "running")) ui.busy.hidden = !s.running;
    if (changed(s, prev, "busyText") && ui.busyText.textContent !== s.busyText) ui.busyText.textContent = s.busyText;
  };
  const pixelToClient = (x: number, y: number) => {
    const r = c.state.result!;
    const rect = ui.view.getBoundingClientRect();
    return { x: rect.left + ((x + 0.5) / r.pass.image.width) * rect.width, y: rect.top + ((y + 0.5) / r.pass.image.height) * rect.height };
  };
  return { draw, pixelToClient };
}

type Ui = { view: HTMLCanvasElement; marks: SVGSVGElement; wrap: HTMLElement; caption: HTMLElement };

function viewScale(wrap: HTMLElement, w: number, h: number): number {
  const box = Math.max(320, Math.min(760, wrap.parentElement!.clientWidth - 2));
  return Math.min(box / w, 560 / h, 4);
}

function drawResult(ui: Ui, r: Result, opacity: number): void {
  const { width: w, height: h, rgb } = r.pass.image;
  const k = viewScale(ui.wrap, w, h);
  ui.view.width = w;
  ui.view.height = h;
  ui.view.style.width = `${Math.round(w * k)}px`;
  ui.view.style.height = `${Math.round(h * k)}px`;
  const g = ui.view.getContext("2d")!;
  const px = g.createImageData(w, h);
  const a = opacity / 100;
  for (let i = 0, j = 0; i < w * h; i++, j += 4) {
    const l = r.labels[i]!;
    const c = r.colors.table.subarray(3 * l, 3 * l + 3);
    const t = l === 0 ? 0 : a; // background left clear
    px.data[j] = Math.round(t * c[0]! + (1 - t) * rgb[3 * i]!);
    px.data[j + 1] = Math.round(t * c[1]! + (1 - t) * rgb[3 * i + 1]!);
    px.data[j + 2] = Math.round(t * c[2]! + (1 - t) * rgb[3 * i + 2]!);
    px.data[j + 3] = 255;
  }
  g.putImageData(px, 0, 0);
  ui.marks.setAttribute("viewBox", `-0.5 -0.5 ${w} ${h}`);
  ui.marks.setAttribute("preserveAspectRatio", "none");
  ui.caption.textContent = `${displayName(r.lm.spec.model)} · argmax of ${r.lm.spec.output}, ${h}×${w}`;
}

function drawLegend(el: HTMLElement, r: Result): void {
  const counts = new Map<number, number>();
  for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const names = r.lm.classNames.names;
  el.innerHTML = [...counts.entries()]
    .sort((p, q) => q[1] - p[1])
    .map(([l, n]) => `<span><i class="swatch" style="background:${r.colors.css(l)}"></i>${escapeHtml(names[l] ?? `class ${l}`)} ${((100 * n) / r.labels.length).toFixed(1)}%${l === 0 ? " (not tinted)" : ""}</span>`)
    .join("");
}

/** Each stream's cell (filled) and receptive field (dashed) around the pixel, coarsest first so finer cells sit on top. */
function drawMarks(ui: Ui, info: HoverInfo | null, r: Result): void {
  ui.marks.innerHTML = "";
  if (!info) return;
  const { width: w } = r.pass.image;
  const k = Number(ui.view.style.width.replace("px", "")) / w; // screen px per input px
  const sw = 1.5 / k;
  const add = (tag: string, attrs: Record<string, string | number>) => {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [a, v] of Object.entries(attrs)) el.setAttribute(a, String(v));
    ui.marks.appendChild(el);
    return el;
  };
  for (const c of info.cells) {
    const color = streamColor(c.stream.pool);
    const [cy, cx] = c.centre;
    const rf = { x: cx - c.rf / 2, y: cy - c.rf / 2, width: c.rf, height: c.rf, fill: "none" };
    const cell = { x: cx - c.stream.stride / 2, y: cy - c.stream.stride / 2, width: c.stream.stride, height: c.stream.stride };
    // A white halo under each outline keeps it readable on any class colour.
    add("rect", { ...rf, stroke: "#fff", "stroke-width": 3 * sw, "stroke-opacity": 0.8 });
    add("rect", { ...rf, stroke: color, "stroke-width": sw, "stroke-dasharray": `${5 / k} ${3 / k}` });
    add("rect", { ...cell, fill: "none", stroke: "#fff", "stroke-width": 3 * sw, "stroke-opacity": 0.8 });
    add("rect", { ...cell, fill: color, "fill-opacity": 0.25, stroke: color, "stroke-width": sw });
  }
  add("circle", { cx: info.x, cy: info.y, r: Math.max(2.5 / k, 0.6), fill: "#fff", stroke: "#000", "stroke-width": sw });
}
