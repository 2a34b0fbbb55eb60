import { autoScale, extent, type ColorMapName } from "../colors.js";
import { drawColorBar, drawTitle, fmt, measureColorBar, measureTitle } from "../components.js";
import type { Figure } from "../figure.js";
import { scalarRaster } from "../raster.js";
import { FONT, INK, MAX_WIDTH, SPACE } from "../style.js";
import { createSvg, frame, image, text } from "../svg.js";
import { asHWC, channel, type ArrayND } from "../../core/arrays.js";
import { fitText } from "../text.js";

export interface FeatureGridOptions {
  /** Tap name for the title, e.g. "conv3_3". */
  readonly name?: string;
  /** The tap's stride on the input (px per cell), shown in the title. */
  readonly stride?: number;
  /** Channels to show, in this order. Overrides `topK`. */
  readonly channels?: readonly number[];
  /**
   * Show the k channels with the largest mean activation (default: all channels if
   * there are at most 64, else the top 32), so a 4096-channel tap stays small.
   */
  readonly topK?: number;
  /**
   * "shared" (default): one colour scale for all tiles, so tiles compare; "per-channel":
   * each tile stretched to its own min..max, which shows structure in weak channels but
   * hides how weak they are.
   */
  readonly scale?: "shared" | "per-channel";
  /** Colour map (default viridis; RdBu, symmetric about 0, when the values have both signs). */
  readonly colorMap?: ColorMapName;
  /** Tiles per row (default: up to 8, more for large selections). */
  readonly columns?: number;
  /** Target tile size in px (default: the grid and its colour bar fit MAX_WIDTH, tiles 12..160 px). */
  readonly tileSize?: number;
  /** Overrides the generated title. */
  readonly title?: string;
}

const TILE_GAP = 6;
const TILE_LABEL = FONT.small + 4;

/** Channels ranked by mean activation (descending), ties by index. */
export function topChannels(t: ArrayND, k: number): number[] {
  const m = asHWC(t, "tap");
  const sums = new Float64Array(m.c);
  const { data, c: C } = m;
  for (let i = 0; i < data.length; i++) sums[i % C]! += data[i]!;
  return Array.from({ length: m.c }, (_, i) => i)
    .sort((a, b) => sums[b]! - sums[a]! || a - b)
    .slice(0, Math.max(0, Math.min(k, m.c)));
}

/**
 * A grid of a tap's channels as heat maps: channel index over each tile, one colour
 * bar, and the tap's shape and stride in the title.
 */
export function featureGrid(tap: ArrayND, o: FeatureGridOptions = {}): Figure {
  const m = asHWC(tap, "featureGrid tap");
  let chosen: number[];
  let how: string;
  if (o.channels) {
    chosen = [...o.channels];
    const bad = chosen.find((c) => !Number.isInteger(c) || c < 0 || c >= m.c);
    if (bad !== undefined) throw new Error(`featureGrid: channel ${bad} out of range, the tap has ${m.c} channels (0..${m.c - 1})`);
    how = `${chosen.length} chosen channel${chosen.length === 1 ? "" : "s"} of ${m.c}`;
  } else {
    const k = o.topK ?? (m.c <= 64 ? m.c : 32);
    if (k >= m.c) {
      chosen = Array.from({ length: m.c }, (_, i) => i);
      how = m.c === 1 ? "" : `all ${m.c} channels`;
    } else {
      chosen = topChannels(tap, k);
      how = `${chosen.length} of ${m.c} channels, the top ${chosen.length} by mean activation`;
    }
  }
  if (!chosen.length) throw new Error("featureGrid: no channels to show");
  const maps = chosen.map((c) => channel(m, c));
  const perChannel = (o.scale ?? "shared") === "per-channel";
  const ranges = maps.map((v) => extent(v));
  const lo = Math.min(...ranges.map((x) => x[0]));
  const hi = Math.max(...ranges.map((x) => x[1]));
  const shared = autoScale(lo, hi, undefined, o.colorMap);

  // Layout. A map with one channel is just the map: no channel number over it.
  const n = chosen.length;
  const single = m.c === 1;
  const tileLabel = single ? 0 : TILE_LABEL;
  const cols = Math.max(1, Math.min(n, o.columns ?? (n <= 8 ? n : Math.max(8, Math.ceil(Math.sqrt(n))))));
  const rows = Math.ceil(n / cols);
  const barScale = perChannel ? autoScale(0, 1, false, o.colorMap === "RdBu" ? "RdBu" : o.colorMap) : shared;
  const barCaption = perChannel ? "per-channel scale: each tile min..max" : `${single ? "" : "shared "}scale, ${shared.diverging ? "blue < 0 < red" : shared.map}`;
  // The bar is widest when shortest (its caption wraps onto more lines): plan with that.
  const gridRoom = MAX_WIDTH - 2 * SPACE.margin - SPACE.gap - measureColorBar(barScale, 60, { relative: perChannel, caption: barCaption });
  const target = Math.max(12, Math.min(o.tileSize ?? 160, Math.floor((gridRoom - (cols - 1) * TILE_GAP) / cols)));
  const aspect = m.w / m.h;
  let tw = aspect >= 1 ? target : target * aspect;
  let th = aspect >= 1 ? target / aspect : target;
  // Small maps: an integer number of px per cell, so cells are even.
  if (m.w <= tw && m.h <= th) {
    const k = Math.max(1, Math.floor(Math.min(tw / m.w, th / m.h)));
    tw = m.w * k;
    th = m.h * k;
  }
  tw = Math.round(tw);
  th = Math.round(th);
  const gridW = cols * tw + (cols - 1) * TILE_GAP;
  const gridH = rows * (th + tileLabel) + (rows - 1) * TILE_GAP;
  const barH = Math.max(60, Math.min(gridH - tileLabel, 260));
  const barW = measureColorBar(barScale, barH, { relative: perChannel, caption: barCaption });
  const shape = tap.shape.join("×");
  const scaleText = perChannel
    ? "per-channel colour scale (tiles do not compare)"
    : `${n > 1 ? "shared " : ""}colour scale ${fmt(shared.domain[0])} to ${fmt(shared.domain[1])}`;
  const title = {
    title: o.title ?? `${o.name ?? (single ? "feature map" : "feature maps")} · ${shape}${o.stride !== undefined ? ` · stride ${o.stride}` : ""}`,
    subtitle: how ? `${how} · ${scaleText}` : scaleText,
  };
  const contentW = gridW + SPACE.gap + barW;
  const width = Math.max(contentW, 420) + 2 * SPACE.margin;
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const height = SPACE.margin + titleH + gridH + SPACE.margin;

  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  const top = SPACE.margin + titleH;
  chosen.forEach((ch, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const x = SPACE.margin + col * (tw + TILE_GAP);
    const y = top + row * (th + tileLabel + TILE_GAP);
    const s = perChannel ? autoScale(ranges[i]![0], ranges[i]![1], undefined, o.colorMap) : shared;
    if (!single) {
      const label = perChannel ? `#${chosen[i]} · ${fmt(ranges[i]![0])}..${fmt(ranges[i]![1])}` : `#${chosen[i]}`;
      text(svg, x, y + FONT.small, fitText(label, tw, FONT.small), { size: FONT.small, fill: INK.muted });
    }
    image(svg, x, y + tileLabel, tw, th, scalarRaster(maps[i]!, m.h, m.w, s, tw, th));
    frame(svg, x, y + tileLabel, tw, th, INK.grid, 0.5);
  });
  drawColorBar(svg, SPACE.margin + gridW + SPACE.gap, top + tileLabel, barH, barScale, { relative: perChannel, caption: barCaption });
  return root.figure(`${title.title}: ${title.subtitle}`);
}
