/** Small measures the notebooks print: the size of a map, the arithmetic of VGG16's body. */
import type { ArrayND } from "../../core/arrays.js";
import type { Summary } from "../net/geometry.js";

/** Root mean square of the values (of a tap's data, if given a tap). */
export function rms(values: ArrayLike<number> | ArrayND): number {
  const v = "data" in values ? values.data : values;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s / v.length);
}

/**
 * Multiply-accumulates of VGG16's thirteen 3x3 convolutions (conv1_1 ... conv5_3) in a
 * summary: the body every net of the paper shares, without fc6-fc8 and the FCN layers.
 */
export function convMacs(summary: Summary): number {
  return summary.rows.filter((r) => /^conv\d/.test(r.name)).reduce((a, r) => a + r.macs, 0);
}
