/**
 * The two pictures of the model card, as plain PNGs (the notebooks draw richer ones
 * with viz/): test scenes with their truth and every model's prediction, and the
 * convolutionalized classifier's heat maps over a scene of several digits.
 */
import { existsSync } from "node:fs";
import { ensureDir, writeFileAtomic } from "../io/files.js";
import { join } from "node:path";
import { classColors, cssToRgb, vocColor } from "../../core/palette.js";
import { type SegScene } from "../data/scenes.js";
import { DIGIT_CLASS_NAMES } from "../../core/class-names/digits.js";
import { encodePng } from "../../core/png.js";
import { modelFromWeights } from "../load.js";
import { readWeights } from "../weights/index.js";
import { FCN_STAGES } from "./config.js";
import { FCN_STAGE_DEFS, weightsPath, type PipelineContext } from "./stages.js";
import { predictLabels } from "./scoring.js";

/** An RGB canvas with a paste operation. */
export class Canvas {
  readonly rgb: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    fill = 255,
  ) {
    this.rgb = new Uint8Array(width * height * 3).fill(fill);
  }
  /** Draws an h x w tile given by its pixel colour function at (x0, y0). */
  tile(x0: number, y0: number, w: number, h: number, color: (x: number, y: number) => readonly [number, number, number]): void {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [r, g, b] = color(x, y);
        const o = ((y0 + y) * this.width + x0 + x) * 3;
        this.rgb[o] = r;
        this.rgb[o + 1] = g;
        this.rgb[o + 2] = b;
      }
    }
  }
  png(): Uint8Array {
    return encodePng(this.width, this.height, this.rgb);
  }
}

const GAP = 4;

/** Grey scene pixels. */
export function sceneColor(s: { size: number; pixels: Uint8Array }): (x: number, y: number) => [number, number, number] {
  return (x, y) => {
    const v = s.pixels[y * s.size + x]!;
    return [v, v, v];
  };
}

/** The digit models' class colours (viz's categorical palette, chosen by their class names). */
const DIGIT_COLORS = classColors(DIGIT_CLASS_NAMES).map(cssToRgb);

/** A label map in the digit models' colours (0 black; 255, ignore, the VOC border colour). */
export function labelColor(labels: ArrayLike<number>, size: number): (x: number, y: number) => readonly [number, number, number] {
  return (x, y) => {
    const l = labels[y * size + x]!;
    return DIGIT_COLORS[l] ?? vocColor(l);
  };
}

/**
 * models/examples.png: for the first test scenes, one row each: the scene, its truth,
 * then each model's prediction (columns in FCN_STAGES order, those that exist).
 */
export async function renderExamples(ctx: PipelineContext, scene: (k: number) => SegScene, rows = 3): Promise<string | null> {
  const stages = FCN_STAGES.filter((s) => existsSync(weightsPath(ctx, s)));
  if (stages.length === 0) return null;
  const scenes = Array.from({ length: rows }, (_, k) => scene(k));
  const size = scenes[0]!.size;
  const cols = 2 + stages.length;
  const canvas = new Canvas(cols * size + (cols - 1) * GAP, rows * size + (rows - 1) * GAP);
  scenes.forEach((s, r) => {
    canvas.tile(0, r * (size + GAP), size, size, sceneColor(s));
    canvas.tile(size + GAP, r * (size + GAP), size, size, labelColor(s.labels, size));
  });
  for (const [i, stage] of stages.entries()) {
    const model = modelFromWeights(FCN_STAGE_DEFS[stage].model, await readWeights(weightsPath(ctx, stage)));
    try {
      for (const [r, s] of scenes.entries()) {
        const pred = await predictLabels(model, s);
        canvas.tile((2 + i) * (size + GAP), r * (size + GAP), size, size, labelColor(pred, size));
      }
    } finally {
      model.dispose();
    }
  }
  const file = join(ctx.modelsDir, "examples.png");
  await writeFileAtomic(file, canvas.png());
  return `columns: scene, truth, ${stages.join(", ")}`;
}

/**
 * models/samples/test-scene-K.png: the first test scenes as plain images, inputs a user
 * can feed the shipped models (the explorer lists them; the CLI reads them).
 */
export async function writeSampleScenes(ctx: PipelineContext, scene: (k: number) => SegScene, count = 4): Promise<string[]> {
  const dir = join(ctx.modelsDir, "samples");
  await ensureDir(dir);
  const files: string[] = [];
  for (let k = 0; k < count; k++) {
    const s = scene(k);
    const canvas = new Canvas(s.size, s.size);
    canvas.tile(0, 0, s.size, s.size, sceneColor(s));
    const file = join(dir, `test-scene-${k}.png`);
    await writeFileAtomic(file, canvas.png());
    files.push(file);
  }
  return files;
}
