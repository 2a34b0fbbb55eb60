import { schemeTableau10 } from "d3";
import type { LayerKind, LayerRole, NetDescription, NetLayer } from "../../core/net-description.js";
import { drawLegend, drawTitle, fmt, measureLegend, measureTitle, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { ACCENT, FONT, INK, MAX_WIDTH, SPACE } from "../style.js";
import { arrow, createSvg, line, pathData, r, text, type G } from "../svg.js";
import { fitText, textWidth } from "../text.js";

export interface ArchitectureOptions {
  /** Model name for the title (default: the description's, e.g. "fcn8s"). */
  readonly model?: string;
  /** Merge each block's consecutive convolutions into one row (default true). */
  readonly collapse?: boolean;
  readonly title?: string;
}

/** Bar colour and legend entry of each role; a convolutionalized fc and a score layer share one. */
const HEAD = { color: schemeTableau10[6]!, legend: "convolutionalized fc / score (1×1, 7×7)" };
const ROLE_STYLE: Record<LayerRole, { readonly color: string; readonly legend: string }> = {
  input: { color: schemeTableau10[9]!, legend: "input" },
  feature: { color: schemeTableau10[0]!, legend: "convolution + ReLU" },
  pool: { color: schemeTableau10[1]!, legend: "max pool" },
  fc: { color: schemeTableau10[6]!, legend: "fully connected" },
  "fc-as-conv": HEAD,
  score: HEAD,
  upsample: { color: schemeTableau10[4]!, legend: "transposed conv (upsampling)" },
  crop: { color: schemeTableau10[7]!, legend: "crop" },
  fuse: { color: schemeTableau10[2]!, legend: "sum (skip fusion)" },
  scale: { color: schemeTableau10[5]!, legend: "scale" },
};

function convText({ name, role, op: { kernel: k = 1, pad = 0 } }: NetLayer): string {
  let s = `conv ${k}×${k}`;
  if (pad !== (k - 1) / 2) s += `, pad ${pad}`;
  if (role === "score") s += " → classes";
  if (role === "fc-as-conv") s += ` (${name} as conv)`;
  return s;
}

/** The operation column's text for one layer. */
const OP_TEXT: Record<LayerKind, (l: NetLayer) => string> = {
  input: () => "image",
  conv: convText,
  pool: ({ op }) => `max pool ${fmt(op.kernel!)}×${fmt(op.kernel!)}, ceil`,
  fc: () => "fully connected",
  deconv: ({ op }) => `transposed conv k${op.kernel} s${fmt(op.stride!)}`,
  crop: ({ op }) => `crop, offset ${op.offset}`,
  sum: () => "sum of inputs",
  scale: () => "scale by a constant",
};

/** One row of the diagram: a layer, or a block's consecutive convolutions merged. */
interface Row {
  readonly name: string;
  readonly role: LayerRole;
  readonly main: boolean;
  readonly inputs: readonly string[];
  readonly stride: number;
  readonly members: string[];
  /** The first layer's operation text, which a merged row counts ("3× conv 3×3"). */
  readonly baseOp: string;
  label: string;
  op: string;
  shape: readonly number[];
  rf: number;
  params: number;
}

const rowOf = (l: NetLayer, op: string): Row => ({
  name: l.name,
  role: l.role,
  main: l.path === "main",
  inputs: l.inputs,
  stride: l.stride,
  members: [l.name],
  baseOp: op,
  label: l.name,
  op,
  shape: l.shape,
  rf: l.receptiveField,
  params: l.params,
});

/** A body convolution that continues the previous row's block: on the main path, same spatial size. */
const continuesBlock = (prev: Row | undefined, l: NetLayer): prev is Row =>
  !!prev && prev.role === "feature" && prev.main && l.role === "feature" && l.path === "main" && prev.shape[0] === l.shape[0];

/** Merge layer `l` into `row`: "conv1_1…1_2", "2× conv 3×3", the last shape and field, summed parameters. */
function merge(row: Row, l: NetLayer): void {
  row.members.push(l.name);
  const prefix = row.name.match(/^\D*/)![0];
  row.label = `${row.name}…${l.name.startsWith(prefix) ? l.name.slice(prefix.length) : l.name}`;
  row.op = `${row.members.length}× ${row.baseOp}`;
  row.shape = l.shape;
  row.rf = l.receptiveField;
  row.params += l.params;
}

/** The rows, top to bottom: one per layer, or with each block's convolutions merged. */
function rowsOf(net: NetDescription, collapse: boolean): Row[] {
  const rows: Row[] = [];
  for (const l of net.layers) {
    const prev = rows[rows.length - 1];
    if (collapse && continuesBlock(prev, l)) merge(prev, l);
    else rows.push(rowOf(l, OP_TEXT[l.kind](l)));
  }
  return rows;
}

interface Edge {
  readonly from: number;
  readonly to: number;
}

/** Edges drawn as skip paths: every input except a main row's first from a main row (the main flow). */
function skipEdges(rows: readonly Row[]): Edge[] {
  const rowIndex = new Map<string, number>();
  rows.forEach((row, i) => row.members.forEach((m) => rowIndex.set(m, i)));
  const edges: Edge[] = [];
  rows.forEach((row, to) => {
    row.inputs.forEach((input, k) => {
      const from = rowIndex.get(input);
      if (from === undefined || (rows[from]!.main && row.main && k === 0)) return;
      edges.push({ from, to });
    });
  });
  return edges;
}

/** Lanes left of the side column for main -> skip edges: shortest spans innermost, no overlaps in a lane. */
function assignLanes(rows: readonly Row[], edges: readonly Edge[]): { laneOf: Map<Edge, number>; count: number } {
  const laneOf = new Map<Edge, number>();
  const spans = edges.filter((e) => rows[e.from]!.main && !rows[e.to]!.main).sort((a, b) => a.to - a.from - (b.to - b.from));
  const used: Edge[][] = [];
  for (const e of spans) {
    let lane = 0;
    while (used[lane]?.some((f) => !(f.to < e.from || f.from > e.to))) lane++;
    (used[lane] ??= []).push(e);
    laneOf.set(e, lane);
  }
  return { laneOf, count: used.length };
}

const ROW = 30;
const LANE_W = 12;

type ColumnKey = "name" | "op" | "shape" | "stride" | "rf" | "params";

interface Column {
  readonly key: ColumnKey;
  readonly title: string;
  readonly w: number;
  readonly align: "start" | "end";
}

/** Where everything goes: the lanes, the side and main bar columns, then the text columns. */
interface Layout {
  readonly branchX: number;
  readonly branchW: number;
  readonly mainX: number;
  readonly mainW: number;
  readonly textX: number;
  readonly textW: number;
  readonly width: number;
  readonly cols: readonly Column[];
  readonly maxSide: number;
}

/** Column widths from the texts, fitted within MAX_WIDTH: narrower bars first (down to 110 px), then the operation column (its text is cut with "…"). */
function layout(rows: readonly Row[], lanes: number): Layout {
  const lanesW = lanes ? lanes * LANE_W + 8 : 0;
  const branchW = rows.some((n) => !n.main) ? 100 : 0;
  const nameW = Math.max(70, ...rows.map((n) => textWidth(n.label, FONT.label, true))) + 14;
  const opW = Math.max(80, ...rows.map((n) => textWidth(n.op, FONT.tick))) + 14;
  const shapeW = Math.max(...rows.map((n) => textWidth(n.shape.join("×"), FONT.tick))) + 14;
  const paramsW = Math.max(60, ...rows.map((n) => textWidth(n.params.toLocaleString("en-US"), FONT.tick))) + 10;
  const natural = SPACE.margin + lanesW + branchW + 150 + 12 + nameW + opW + shapeW + 48 + 64 + paramsW + SPACE.margin;
  const over = Math.max(0, natural - MAX_WIDTH);
  const mainW = 150 - Math.min(40, over);
  const cols: Column[] = [
    { key: "name", title: "layer", w: nameW, align: "start" },
    { key: "op", title: "operation", w: Math.max(80, opW - Math.max(0, over - 40)), align: "start" },
    { key: "shape", title: "output h×w×c", w: shapeW, align: "end" },
    { key: "stride", title: "stride", w: 48, align: "end" },
    { key: "rf", title: "rec. field", w: 64, align: "end" },
    { key: "params", title: "params", w: paramsW, align: "end" },
  ];
  const textW = cols.reduce((a, c) => a + c.w, 0);
  const branchX = SPACE.margin + lanesW;
  const mainX = branchX + branchW;
  const textX = mainX + mainW + 12;
  const maxSide = Math.max(...rows.map((n) => n.shape[0] ?? 1));
  return { branchX, branchW, mainX, mainW, textX, textW, width: textX + textW + SPACE.margin, cols, maxSide };
}

/** Row centres, bar centres and bar sizes (width ∝ √side, thickness ∝ log₂ channels). */
function placement(L: Layout, top: number) {
  const rowY = (i: number) => top + i * ROW + ROW / 2;
  const colX = (n: Row) => (n.main ? L.mainX + L.mainW / 2 : L.branchX + L.branchW / 2);
  const bar = (n: Row) => {
    const barW = Math.max(6, (L.mainW - 16) * Math.sqrt((n.shape[0] ?? 1) / L.maxSide));
    return { w: n.main ? barW : Math.min(L.branchW - 16, barW), h: Math.min(ROW - 8, 4 + 1.7 * Math.log2(Math.max(1, n.shape[2] ?? 1))) };
  };
  return { rowY, colX, bar };
}

type Place = ReturnType<typeof placement>;

const cellX = (c: Column, x: number) => (c.align === "end" ? x + c.w - 10 : x);

function drawHeader(svg: G, L: Layout, headY: number): void {
  let x = L.textX;
  for (const c of L.cols) {
    text(svg, cellX(c, x), headY + 8, c.title, { size: FONT.tick, bold: true, fill: INK.muted, anchor: c.align });
    x += c.w;
  }
  line(svg, L.textX, headY + 13, L.textX + L.textW - 6, headY + 13, INK.grid, 1);
}

function drawCell(svg: G, c: Column, x: number, y: number, n: Row): void {
  const tick = { size: FONT.tick, baseline: "middle", anchor: "end" } as const;
  if (c.key === "name") text(svg, x, y, n.label, { bold: true, baseline: "middle" });
  else if (c.key === "op") text(svg, x, y, fitText(n.op, c.w - 10, FONT.tick), { size: FONT.tick, baseline: "middle", fill: INK.muted });
  else if (c.key === "shape") text(svg, x, y, n.shape.join("×"), tick);
  else if (c.key === "stride") text(svg, x, y, fmt(n.stride), tick);
  else if (c.key === "rf") text(svg, x, y, fmt(n.rf), tick);
  else text(svg, x, y, n.params ? n.params.toLocaleString("en-US") : "", { ...tick, fill: INK.muted });
}

/** Zebra stripes and each row's text columns. */
function drawTable(svg: G, L: Layout, P: Place, rows: readonly Row[]): void {
  rows.forEach((n, i) => {
    const y = P.rowY(i);
    if (i % 2 === 0) svg.append("rect").attr("x", r(L.textX - 6)).attr("y", r(y - ROW / 2)).attr("width", r(L.textW)).attr("height", ROW).attr("fill", "#f7f7f7");
    let x = L.textX;
    for (const c of L.cols) {
      drawCell(svg, c, cellX(c, x), y, n);
      x += c.w;
    }
  });
}

/** Arrows down the main column, bar to bar. */
function drawMainFlow(svg: G, P: Place, rows: readonly Row[]): void {
  const mainIdx = rows.map((n, i) => (n.main ? i : -1)).filter((i) => i >= 0);
  for (let k = 1; k < mainIdx.length; k++) {
    const [i, j] = [mainIdx[k - 1]!, mainIdx[k]!];
    const [a, b] = [rows[i]!, rows[j]!];
    arrow(svg, P.colX(a), P.rowY(i) + P.bar(a).h / 2 + 1, P.colX(b), P.rowY(j) - P.bar(b).h / 2 - 1, INK.line, 1, 5);
  }
}

/** One skip edge: main -> side through its lane, down the side column, side -> main, or main -> main on the right. */
function drawSkip(svg: G, L: Layout, P: Place, a: Row, b: Row, ya: number, yb: number, lane: number | undefined): void {
  const [ba, bb] = [P.bar(a), P.bar(b)];
  const stroke = (d: string) => svg.append("path").attr("d", d).attr("fill", "none").attr("stroke", ACCENT.skip).attr("stroke-width", 1.6);
  if (a.main && !b.main) {
    const lx = L.branchX - 6 - lane! * LANE_W;
    stroke(pathData([[P.colX(a) - ba.w / 2 - 1, ya], [lx, ya], [lx, yb]]));
    arrow(svg, lx, yb, P.colX(b) - bb.w / 2 - 1, yb, ACCENT.skip, 1.6, 6);
  } else if (!a.main && !b.main) {
    arrow(svg, P.colX(a), ya + ba.h / 2 + 1, P.colX(b), yb - bb.h / 2 - 1, ACCENT.skip, 1.6, 6);
  } else if (!a.main && b.main) {
    stroke(pathData([[P.colX(a), ya + ba.h / 2 + 1], [P.colX(a), yb]]));
    arrow(svg, P.colX(a), yb, P.colX(b) - bb.w / 2 - 1, yb, ACCENT.skip, 1.6, 6);
  } else {
    arrow(svg, P.colX(a) + ba.w / 2 + 1, ya, P.colX(b) + bb.w / 2 + 1, yb, ACCENT.skip, 1.6, 6);
  }
}

function drawBars(svg: G, P: Place, rows: readonly Row[]): void {
  rows.forEach((n, i) => {
    const { w, h } = P.bar(n);
    svg.append("rect").attr("x", r(P.colX(n) - w / 2)).attr("y", r(P.rowY(i) - h / 2)).attr("width", r(w)).attr("height", r(h)).attr("rx", 2).attr("fill", ROLE_STYLE[n.role].color);
  });
}

/** One legend entry per kind of bar, in order of appearance, and the skip path if any. */
function legendItems(rows: readonly Row[], skips: boolean): LegendItem[] {
  const styles = [...new Set(rows.map((n) => ROLE_STYLE[n.role]))];
  const items: LegendItem[] = styles.map((s) => ({ label: s.legend, color: s.color }));
  if (skips) items.push({ label: "skip path", color: ACCENT.skip });
  return items;
}

/**
 * A net description (core/net-description.ts, from src's describeNet) as a diagram,
 * top to bottom: one row per layer (each block's convolutions merged), a bar whose width
 * grows with the spatial size and whose thickness grows with the channels, the output
 * shape, stride and receptive field, and the skip paths (pool4 -> score_pool4 -> crop ->
 * fuse) drawn on the left.
 */
export function architectureDiagram(net: NetDescription, o: ArchitectureOptions = {}): Figure {
  if (!net.layers.length) throw new Error("architectureDiagram: no layers");
  const rows = rowsOf(net, o.collapse ?? true);
  const edges = skipEdges(rows);
  const lanes = assignLanes(rows, edges);
  const L = layout(rows, lanes.count);
  const items = legendItems(rows, lanes.count > 0);
  const legend = measureLegend(items, L.width - 2 * SPACE.margin);
  const total = rows.reduce((a, n) => a + n.params, 0);
  const title = {
    title: o.title ?? `${o.model ?? net.model} on a ${net.input[0]}×${net.input[1]} input: ${rows.length} stages, ${total.toLocaleString("en-US")} parameters`,
    subtitle: "Bar width ∝ √(spatial size), thickness ∝ log₂(channels). Stride: input px between neighbouring cells; receptive field: input px one cell sees (per side).",
  };
  const headY = SPACE.margin + measureTitle(title, L.width - 2 * SPACE.margin);
  const top = headY + 18;
  const root = createSvg(L.width, top + rows.length * ROW + SPACE.gap + legend.height + SPACE.margin);
  const { svg } = root;
  const P = placement(L, top);
  drawTitle(svg, SPACE.margin, SPACE.margin, title, L.width - 2 * SPACE.margin);
  drawHeader(svg, L, headY);
  drawTable(svg, L, P, rows);
  drawMainFlow(svg, P, rows);
  for (const e of edges) drawSkip(svg, L, P, rows[e.from]!, rows[e.to]!, P.rowY(e.from), P.rowY(e.to), lanes.laneOf.get(e));
  drawBars(svg, P, rows);
  drawLegend(svg, SPACE.margin, top + rows.length * ROW + SPACE.gap, items, L.width - 2 * SPACE.margin);
  return root.figure(`${title.title}; layers: ${rows.map((n) => n.label).join(", ")}`);
}
