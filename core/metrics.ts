/**
 * Segmentation metrics of the paper (score.py of the reference release), pure array
 * math. n_ij = pixels of true class i predicted as j, t_i = sum_j n_ij:
 *   pixel accuracy          sum_i n_ii / sum_i t_i
 *   mean accuracy           mean_i n_ii / t_i
 *   mean IU                 mean_i n_ii / (t_i + sum_j n_ji - n_ii)
 *   frequency weighted IU   (sum_k t_k)^-1 sum_i t_i n_ii / (t_i + sum_j n_ji - n_ii)
 * As in score.py, a class whose ratio is 0/0 (absent from truth, and for IU also never
 * predicted) is left out of the means (nanmean), not counted as 0.
 */
import { asLabels, type ArrayND } from "./arrays.js";
import { IGNORE_LABEL } from "./labels.js";

/** n x n counts, row = true class, column = predicted class (row-major). */
export interface Confusion {
  readonly n: number;
  readonly counts: Float64Array;
}

export function emptyConfusion(n: number): Confusion {
  return { n, counts: new Float64Array(n * n) };
}

/**
 * Adds one image to a confusion matrix (or starts one). Pixels whose truth is `ignore`
 * (255) or not a class 0..n-1 are skipped, as in score.py.
 */
export function confusionMatrix(truth: ArrayND, pred: ArrayND, n = 21, o: { ignore?: number; into?: Confusion } = {}): Confusion {
  const t = asLabels(truth, "truth");
  const p = asLabels(pred, "prediction");
  if (t.h !== p.h || t.w !== p.w) throw new Error(`confusionMatrix: truth is ${t.h}×${t.w} but prediction is ${p.h}×${p.w}`);
  const conf = o.into ?? emptyConfusion(n);
  if (conf.n !== n) throw new Error(`confusionMatrix: accumulating into a ${conf.n}-class matrix with n = ${n}`);
  const ignore = o.ignore ?? IGNORE_LABEL;
  const c = conf.counts;
  for (let i = 0; i < t.data.length; i++) {
    const a = t.data[i]!;
    if (a === ignore || !(a >= 0 && a < n)) continue;
    const b = p.data[i]!;
    if (!(b >= 0 && b < n) || !Number.isInteger(b)) throw new Error(`confusionMatrix: predicted label ${b} at pixel ${i} is not a class 0..${n - 1}`);
    c[a * n + b]! += 1;
  }
  return conf;
}

export interface SegMetrics {
  readonly pixelAccuracy: number;
  readonly meanAccuracy: number;
  readonly meanIU: number;
  readonly frequencyWeightedIU: number;
  /** Per class: n_ii / t_i (NaN when t_i = 0). */
  readonly classAccuracy: readonly number[];
  /** Per class: IU (NaN when the class is neither true nor predicted anywhere). */
  readonly classIU: readonly number[];
  /** Per class: t_i, pixels of the class in the truth. */
  readonly support: readonly number[];
  /** Scored pixels. */
  readonly total: number;
}

function nanmean(xs: readonly number[]): number {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}

export function segmentationMetrics(conf: Confusion): SegMetrics {
  const { n, counts } = conf;
  const rowSum = new Array<number>(n).fill(0);
  const colSum = new Array<number>(n).fill(0);
  let diag = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = counts[i * n + j]!;
      rowSum[i]! += v;
      colSum[j]! += v;
      total += v;
    }
    diag += counts[i * n + i]!;
  }
  const acc = rowSum.map((t, i) => (t === 0 ? NaN : counts[i * n + i]! / t));
  const iu = rowSum.map((t, i) => {
    const d = t + colSum[i]! - counts[i * n + i]!;
    return d === 0 ? NaN : counts[i * n + i]! / d;
  });
  let fw = 0;
  for (let i = 0; i < n; i++) if (rowSum[i]! > 0) fw += (rowSum[i]! / total) * iu[i]!;
  return {
    pixelAccuracy: total ? diag / total : NaN,
    meanAccuracy: nanmean(acc),
    meanIU: nanmean(iu),
    frequencyWeightedIU: total ? fw : NaN,
    classAccuracy: acc,
    classIU: iu,
    support: rowSum,
    total,
  };
}

/** Metrics of one prediction against its truth. */
export function scoreSegmentation(truth: ArrayND, pred: ArrayND, n = 21, ignore = IGNORE_LABEL): SegMetrics {
  return segmentationMetrics(confusionMatrix(truth, pred, n, { ignore }));
}
