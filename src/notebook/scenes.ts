/**
 * A digit scene as the figures and the metrics take it: its picture (grey as RGB) and its
 * truth (the label map), and how much of one class a prediction finds.
 */
import type { RgbImage } from "../../core/image.js";
import { toRgb, type DigitImage, type SegScene } from "../data/scenes.js";

/** A digit image or scene as the RGB picture the figures take (grey in all three channels). */
export function picture(img: DigitImage): RgbImage {
  return toRgb(img);
}

/** A scene's true labels as a label map [size, size]: 0 background, 1 + d digit d, 255 not scored. */
export function truthOf(scene: SegScene): { data: Uint8Array; shape: [number, number] } {
  return { data: scene.labels, shape: [scene.size, scene.size] };
}

/**
 * Recall of class `c`: the share of the pixels whose truth is `c` that `predicted` labels
 * `c` too (NaN when the truth has no such pixel).
 */
export function classRecall(truth: ArrayLike<number>, predicted: ArrayLike<number>, c: number): number {
  if (truth.length !== predicted.length) throw new Error(`classRecall: ${truth.length} true labels, ${predicted.length} predicted`);
  let n = 0;
  let right = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] !== c) continue;
    n++;
    if (predicted[i] === c) right++;
  }
  return right / n;
}
