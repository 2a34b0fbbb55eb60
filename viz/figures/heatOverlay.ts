import { asRGB, type ImageInput, type RgbImage } from "../../core/image.js";

/**
 * A grid of class probabilities laid over an image, as a convolutionalized classifier
 * gives it (the paper's Figure 2): cell (i, j) is centred on pixel
 * (centre0 + stride·i, centre0 + stride·j).
 */
export interface ProbabilityGrid {
  readonly rows: number;
  readonly cols: number;
  readonly classes: number;
  /** [rows, cols, classes], row-major. */
  readonly probabilities: ArrayLike<number>;
  readonly centre0: number;
  readonly stride: number;
}

/**
 * The image dimmed to grey (35 % of its luma), with class `cls`'s probability p painted in
 * red on each cell's stride x stride square: p = 0 leaves the grey, p = 1 is full red.
 * Pixels outside every cell's square get p = 0. An image for imageRow.
 */
export function heatOverlay(image: ImageInput, grid: ProbabilityGrid, cls: number): RgbImage {
  if (!Number.isInteger(cls) || cls < 0 || cls >= grid.classes) throw new Error(`heatOverlay: class ${cls} out of range (0..${grid.classes - 1})`);
  const { width, height, rgb: src } = asRGB(image, "heatOverlay image");
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = Math.round((y - grid.centre0) / grid.stride);
      const j = Math.round((x - grid.centre0) / grid.stride);
      const p = i >= 0 && j >= 0 && i < grid.rows && j < grid.cols ? grid.probabilities[(i * grid.cols + j) * grid.classes + cls]! : 0;
      const k = 3 * (y * width + x);
      const g = 0.35 * (0.299 * src[k]! + 0.587 * src[k + 1]! + 0.114 * src[k + 2]!);
      rgb[k] = Math.round(g + (255 - g) * p);
      rgb[k + 1] = rgb[k + 2] = Math.round(g * (1 - p));
    }
  }
  return { width, height, rgb };
}
