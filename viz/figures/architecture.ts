import { schemeTableau10 } from "d3";
import { drawLegend, drawTitle, fmt, measureLegend, measureTitle, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { ACCENT, FONT, INK, MAX_WIDTH, SPACE } from "../style.js";
import { arrow, createSvg, line, pathData, r, text } from "../svg.js";
import { fitText, textWidth } from "../text.js";

/**
 * One layer of the net, as the rows of `summarize()` in src/net/geometry.ts (extra
 * fields are ignored). `inputs` are the blobs it reads (spec.nodes[i].inputs); without
 * them the rows are read as a chain, with FCN's skip layers (score_poolN, score_poolNc,
 * fuse_poolN, scale_poolN) wired by name.
 */
export interface ArchRow {
  readonly name: string;
  readonly type: string;
  /** [h, w, c] for the summary's input size. */
  readonly shape: readonly number[];
  readonly stride: number;
  readonly receptiveField: number;
  readonly params?: number;
  readonly offset?: number;
  readonly inputs?: readonly string[];
}

export interface ArchitectureOptions {
  /** Model name for the title, e.g. "fcn8s". */
  readonly model?: string;
  /** Input size the shapes are for, for the subtitle. */
  readonly input?: readonly [number, number];
  /** Merge each VGG block's convolutions into one row (default true). */
  readonly collapse?: boolean;
  readonly title?: string;
}

const TYPE_COLOR: Record<string, string> = {
  input: schemeTableau10[9]!,
  conv: schemeTableau10[0]!,
  pool: schemeTableau10[1]!,
  fc: schemeTableau10[6]!,
  head: schemeTableau10[6]!,
  deconv: schemeTableau10[4]!,
  crop: schemeTableau10[7]!,
  sum: schemeTableau10[2]!,
  scale: schemeTableau10[5]!,
};

const TYPE_LABEL: Record<string, string> = {
  input: "input",
  conv: "convolution + ReLU",
  head: "convolutionalized fc / score (1×1, 7×7)",
  fc: "fully connected",
  pool: "max pool",
  deconv: "transposed conv (upsampling)",
  crop: "crop",
  sum: "sum (skip fusion)",
  scale: "scale",
};

interface Node {
  name: string;
  type: string;
  kind: string;
  shape: readonly number[];
  stride: number;
  rf: number;
  params: number;
  offset?: number;
  inputs: string[];
  members: string[];
  op: string;
}

/** Inputs of each row: given, or a chain with FCN's skip layers wired by name. */
export function inferInputs(rows: readonly ArchRow[]): string[][] {
  const names = new Set(rows.map((r) => r.name));
  let tail: string | undefined;
  return rows.map((row) => {
    if (row.inputs) {
      if (!/^(score_pool\d+c?|scale_pool\d+)$/.test(row.name)) tail = row.name;
      return [...row.inputs];
    }
    let m: RegExpMatchArray | null;
    let ins: string[];
    if ((m = row.name.match(/^scale_(pool\d+)$/))) return [m[1]!];
    if ((m = row.name.match(/^score_(pool\d+)$/))) return [names.has(`scale_${m[1]}`) ? `scale_${m[1]}` : m[1]!];
    if ((m = row.name.match(/^(score_pool\d+)c$/))) return [m[1]!];
    if ((m = row.name.match(/^fuse_(pool\d+)$/)) && tail) ins = [tail, `score_${m[1]}c`];
    else ins = tail ? [tail] : [];
    tail = row.name;
    return ins;
  });
}

function opText(n: Node, src: Node | undefined): string {
  const cin = src?.shape[2];
  const cout = n.shape[2]!;
  const sIn = src?.stride ?? 1;
  switch (n.type) {
    case "input":
      return "image";
    case "conv": {
      if (!n.params || !cin) return "conv";
      const k = Math.round(Math.sqrt((n.params - cout) / (cin * cout)));
      let s = `conv ${k}×${k}`;
      if (src && n.stride === sIn) {
        const pad = (n.shape[0]! - src.shape[0]! + k - 1) / 2;
        if (pad !== (k - 1) / 2) s += `, pad ${pad}`;
      }
      if (k === 1 && /^score/.test(n.name)) s += " → classes";
      return s;
    }
    case "fc":
      return "fully connected";
    case "pool":
      return `max pool ${fmt(n.stride / sIn)}×${fmt(n.stride / sIn)}, ceil`;
    case "deconv": {
      const s = sIn / n.stride;
      const k = n.params && cout ? Math.round(Math.sqrt(n.params / (cout * cout))) : undefined;
      return `transposed conv${k ? ` k${k}` : ""} s${fmt(s)}`;
    }
    case "crop":
      return n.offset !== undefined ? `crop, offset ${n.offset}` : "crop";
    case "sum":
      return "sum of inputs";
    case "scale":
      return "scale by a constant";
    default:
      return n.type;
  }
}

/**
 * The layer table as a diagram, top to bottom: one row per layer (each VGG block's
 * convolutions merged), a bar whose width grows with the spatial size and whose
 * thickness grows with the channels, the output shape, stride and receptive field,
 * and the skip paths (pool4 -> score_pool4 -> crop -> fuse) drawn on the left.
 */
export function architectureDiagram(rows: readonly ArchRow[], o: ArchitectureOptions = {}): Figure {
  if (!rows.length) throw new Error("architectureDiagram: no rows");
  const ins = inferInputs(rows);
  let nodes: Node[] = rows.map((row, i) => ({
    name: row.name,
    type: row.type,
    kind: row.type,
    shape: row.shape,
    stride: row.stride,
    rf: row.receptiveField,
    params: row.params ?? 0,
    ...(row.offset !== undefined ? { offset: row.offset } : {}),
    inputs: ins[i]!,
    members: [row.name],
    op: "",
  }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const n of nodes) {
    n.op = opText(n, byName.get(n.inputs[0] ?? ""));
    if (n.type === "conv" && (/^fc\d/.test(n.name) || /^score/.test(n.name))) n.kind = "head";
    if (/^fc\d/.test(n.name) && n.type === "conv") n.op += ` (${n.name} as conv)`;
  }
  // Main path: back from the last row along first inputs.
  const main = new Set<string>();
  for (let cur: Node | undefined = nodes[nodes.length - 1]; cur; cur = byName.get(cur.inputs[0] ?? "")) {
    if (main.has(cur.name)) break;
    main.add(cur.name);
  }
  // Collapse each VGG block's convs (consecutive, main path, same shape).
  const alias = new Map<string, string>();
  if (o.collapse ?? true) {
    const out: Node[] = [];
    for (const n of nodes) {
      const prev = out[out.length - 1];
      const blk = n.name.match(/^conv(\d+)_\d+$/)?.[1];
      const pblk = prev?.members[prev.members.length - 1]!.match(/^conv(\d+)_\d+$/)?.[1];
      if (prev && blk && blk === pblk && n.type === "conv" && prev.type === "conv" && main.has(n.name) && prev.shape[0] === n.shape[0]) {
        const first = prev.members[0]!;
        prev.members.push(n.name);
        alias.set(n.name, first);
        prev.shape = n.shape;
        prev.rf = n.rf;
        prev.params += n.params;
        prev.op = prev.op.replace(/^(\d+× )?conv/, `${prev.members.length}× conv`);
        continue;
      }
      out.push({ ...n, members: [...n.members] });
    }
    nodes = out;
  }
  const canon = (s: string) => alias.get(s) ?? s;
  const idx = new Map(nodes.map((n, i) => [n.name, i]));
  const label = (n: Node) => (n.members.length > 1 ? `${n.members[0]}…${n.members[n.members.length - 1]!.replace(/^conv/, "")}` : n.name);

  // Edges off the main chain.
  type Edge = { from: number; to: number };
  const branchEdges: Edge[] = [];
  nodes.forEach((n, i) => {
    n.inputs.forEach((s, k) => {
      const from = idx.get(canon(s));
      if (from === undefined) return;
      const fromMain = main.has(nodes[from]!.members[nodes[from]!.members.length - 1]!) || main.has(nodes[from]!.name);
      const toMain = main.has(n.name);
      if (fromMain && toMain && k === 0) return; // drawn as the main flow
      branchEdges.push({ from, to: i });
    });
  });
  const isMain = (n: Node) => main.has(n.name);
  // Lanes for main -> branch edges: shortest spans innermost.
  const laneOf = new Map<Edge, number>();
  const spans = branchEdges.filter((e) => isMain(nodes[e.from]!) && !isMain(nodes[e.to]!)).sort((a, b) => a.to - a.from - (b.to - b.from));
  const used: Edge[][] = [];
  for (const e of spans) {
    let lane = 0;
    while (used[lane]?.some((f) => !(f.to < e.from || f.from > e.to))) lane++;
    (used[lane] ??= []).push(e);
    laneOf.set(e, lane);
  }
  const nLanes = used.length;

  // Geometry.
  const ROW = 30;
  const laneW = 12;
  const lanesW = nLanes ? nLanes * laneW + 8 : 0;
  const branchW = nodes.some((n) => !isMain(n)) ? 100 : 0;
  const nameW = Math.max(70, ...nodes.map((n) => textWidth(label(n), FONT.label, true))) + 14;
  const opW = Math.max(80, ...nodes.map((n) => textWidth(n.op, FONT.tick))) + 14;
  const shapeW = Math.max(...nodes.map((n) => textWidth(n.shape.join("×"), FONT.tick))) + 14;
  const paramsW = Math.max(60, ...nodes.map((n) => textWidth(n.params.toLocaleString("en-US"), FONT.tick))) + 10;
  // Within MAX_WIDTH: narrower bars first (down to 110 px), then the operation column (its text is cut with "…").
  const natural = SPACE.margin + lanesW + branchW + 150 + 12 + nameW + opW + shapeW + 48 + 64 + paramsW + SPACE.margin;
  const over = Math.max(0, natural - MAX_WIDTH);
  const mainW = 150 - Math.min(40, over);
  const maxSide = Math.max(...nodes.map((n) => n.shape[0] ?? 1));
  const barW = (n: Node) => Math.max(6, (mainW - 16) * Math.sqrt((n.shape[0] ?? 1) / maxSide));
  const barH = (n: Node) => Math.min(ROW - 8, 4 + 1.7 * Math.log2(Math.max(1, n.shape[2] ?? 1)));
  const cols = [
    { key: "name", title: "layer", w: nameW },
    { key: "op", title: "operation", w: Math.max(80, opW - Math.max(0, over - 40)) },
    { key: "shape", title: "output h×w×c", w: shapeW, align: "end" },
    { key: "stride", title: "stride", w: 48, align: "end" },
    { key: "rf", title: "rec. field", w: 64, align: "end" },
    { key: "params", title: "params", w: paramsW, align: "end" },
  ] as const;
  const textW = cols.reduce((a, c) => a + c.w, 0);
  const x0 = SPACE.margin;
  const branchX = x0 + lanesW;
  const mainX = branchX + branchW;
  const textX = mainX + mainW + 12;
  const width = textX + textW + SPACE.margin;
  const total = nodes.reduce((a, n) => a + n.params, 0);
  const types = [...new Set(nodes.map((n) => n.kind))];
  const items: LegendItem[] = types.map((t) => ({ label: TYPE_LABEL[t] ?? t, color: TYPE_COLOR[t] ?? INK.line }));
  if (nLanes) items.push({ label: "skip path", color: ACCENT.skip });
  const legend = measureLegend(items, width - 2 * SPACE.margin);
  const title = {
    title: o.title ?? `${o.model ?? "network"}${o.input ? ` on a ${o.input[0]}×${o.input[1]} input` : ""}: ${nodes.length} stages, ${total.toLocaleString("en-US")} parameters`,
    subtitle: "Bar width ∝ √(spatial size), thickness ∝ log₂(channels). Stride: input px between neighbouring cells; receptive field: input px one cell sees (per side).",
  };
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const headY = SPACE.margin + titleH;
  const top = headY + 18;
  const height = top + nodes.length * ROW + SPACE.gap + legend.height + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  // Header.
  let cx = textX;
  for (const c of cols) {
    const al = "align" in c ? c.align : "start";
    text(svg, al === "end" ? cx + c.w - 10 : cx, headY + 8, c.title, { size: FONT.tick, bold: true, fill: INK.muted, anchor: al });
    cx += c.w;
  }
  line(svg, textX, headY + 13, textX + textW - 6, headY + 13, INK.grid, 1);
  const rowY = (i: number) => top + i * ROW + ROW / 2;
  const colX = (n: Node) => (isMain(n) ? mainX + mainW / 2 : branchX + branchW / 2);
  const bar = (n: Node) => {
    const w = isMain(n) ? barW(n) : Math.min(branchW - 16, barW(n));
    return { w, h: barH(n) };
  };
  // Zebra rows and text.
  nodes.forEach((n, i) => {
    const y = rowY(i);
    if (i % 2 === 0) svg.append("rect").attr("x", r(textX - 6)).attr("y", r(y - ROW / 2)).attr("width", r(textW)).attr("height", ROW).attr("fill", "#f7f7f7");
    let x = textX;
    for (const c of cols) {
      const al = "align" in c ? c.align : "start";
      const tx = al === "end" ? x + c.w - 10 : x;
      if (c.key === "name") text(svg, tx, y, label(n), { bold: true, baseline: "middle" });
      else if (c.key === "op") text(svg, tx, y, fitText(n.op, c.w - 10, FONT.tick), { size: FONT.tick, baseline: "middle", fill: INK.muted });
      else if (c.key === "shape") text(svg, tx, y, n.shape.join("×"), { size: FONT.tick, baseline: "middle", anchor: "end" });
      else if (c.key === "stride") text(svg, tx, y, fmt(n.stride), { size: FONT.tick, baseline: "middle", anchor: "end" });
      else if (c.key === "rf") text(svg, tx, y, fmt(n.rf), { size: FONT.tick, baseline: "middle", anchor: "end" });
      else text(svg, tx, y, n.params ? n.params.toLocaleString("en-US") : "", { size: FONT.tick, baseline: "middle", anchor: "end", fill: INK.muted });
      x += c.w;
    }
  });
  // Main flow arrows.
  const mainIdx = nodes.map((n, i) => (isMain(n) ? i : -1)).filter((i) => i >= 0);
  for (let k = 1; k < mainIdx.length; k++) {
    const a = nodes[mainIdx[k - 1]!]!;
    const b = nodes[mainIdx[k]!]!;
    arrow(svg, colX(a), rowY(mainIdx[k - 1]!) + bar(a).h / 2 + 1, colX(b), rowY(mainIdx[k]!) - bar(b).h / 2 - 1, INK.line, 1, 5);
  }
  // Skip paths.
  for (const e of branchEdges) {
    const a = nodes[e.from]!;
    const b = nodes[e.to]!;
    const ya = rowY(e.from);
    const yb = rowY(e.to);
    const ba = bar(a);
    const bb = bar(b);
    if (isMain(a) && !isMain(b)) {
      const lx = branchX - 6 - laneOf.get(e)! * laneW;
      svg.append("path").attr("d", pathData([[colX(a) - ba.w / 2 - 1, ya], [lx, ya], [lx, yb]])).attr("fill", "none").attr("stroke", ACCENT.skip).attr("stroke-width", 1.6);
      arrow(svg, lx, yb, colX(b) - bb.w / 2 - 1, yb, ACCENT.skip, 1.6, 6);
    } else if (!isMain(a) && !isMain(b)) {
      arrow(svg, colX(a), ya + ba.h / 2 + 1, colX(b), yb - bb.h / 2 - 1, ACCENT.skip, 1.6, 6);
    } else if (!isMain(a) && isMain(b)) {
      svg.append("path").attr("d", pathData([[colX(a), ya + ba.h / 2 + 1], [colX(a), yb]])).attr("fill", "none").attr("stroke", ACCENT.skip).attr("stroke-width", 1.6);
      arrow(svg, colX(a), yb, colX(b) - bb.w / 2 - 1, yb, ACCENT.skip, 1.6, 6);
    } else {
      arrow(svg, colX(a) + ba.w / 2 + 1, ya, colX(b) + bb.w / 2 + 1, yb, ACCENT.skip, 1.6, 6);
    }
  }
  // Bars on top.
  nodes.forEach((n, i) => {
    const { w, h } = bar(n);
    svg.append("rect").attr("x", r(colX(n) - w / 2)).attr("y", r(rowY(i) - h / 2)).attr("width", r(w)).attr("height", r(h)).attr("rx", 2).attr("fill", TYPE_COLOR[n.kind] ?? INK.line);
  });
  drawLegend(svg, SPACE.margin, top + nodes.length * ROW + SPACE.gap, items, width - 2 * SPACE.margin);
  return root.figure(`${title.title}; layers: ${nodes.map(label).join(", ")}`);
}
