/**
 * What each stream contributes to one output pixel's logits.
 *
 * Everything after the score layers is linear: transposed convolutions without bias,
 * crops and sums. For FCN-8s
 *
 *   score = crop31(upscore8(upscore_pool4(upscore2(score_fr) + crop5(score_pool4)) + crop9(score_pool3)))
 *
 * so the logits at a pixel split exactly into three terms: the same chain applied to
 * score_fr alone (the pool5 stream), to score_pool4 alone (pool4) and to score_pool3 alone
 * (pool3). FCN-16s has two streams, FCN-32s one. Nothing here is FCN-8s specific: the
 * streams are found by walking the net spec back from its output through the linear ops,
 * and one pixel is evaluated by following only the cells that reach it (a handful per
 * layer), in float64 on the CPU from the downloaded score taps and the upsampling
 * weights. It is independent of the GPU's own computation of `score`, which is what makes
 * "the streams sum to the logits" a real check.
 */
import { bilinearFilter } from "../../core/bilinear.js";
import { withBilinear } from "../load.js";
import { blobShapes } from "../net/geometry.js";
import type { NetNode, NetSpec } from "../net/spec.js";
import type { WeightsFile } from "../weights/types.js";

/** A map in NHWC order without the batch: [h, w, c]. */
export interface HostMap {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number, number];
}

export interface Stream {
  /** The score layer it starts from: score_fr, score_pool4, score_pool3. */
  readonly source: string;
  /** The pool it reads, for people: "pool5", "pool4", "pool3". */
  readonly pool: string;
  /** Stride of its score map on the input (32, 16, 8). */
  readonly stride: number;
}

const LINEAR = new Set(["deconv", "crop", "sum", "scale"]);

/**
 * The streams of a net: the non-linear blobs (score layers) the output reaches through
 * linear ops only, coarsest first.
 */
export function streamsOf(spec: NetSpec): Stream[] {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const sources: string[] = [];
  const visit = (name: string) => {
    const n = byName.get(name)!;
    if (!LINEAR.has(n.op.type)) {
      if (!sources.includes(name)) sources.push(name);
      return;
    }
    n.inputs.forEach(visit);
  };
  visit(spec.output);
  const streams = sources.map((source) => {
    // score_fr reads fc7, which reads pool5 through fc6: each pool halves, so stride 2^n is pool n.
    const stride = Math.round(1 / spec.coords.get(source)!.a);
    return { source, pool: `pool${Math.round(Math.log2(stride))}`, stride };
  });
  return streams.sort((a, b) => b.stride - a.stride);
}

/** Upsampling weights by layer, tfjs layout [k, k, out, in] flattened. */
export type DeconvWeights = ReadonlyMap<string, Float32Array>;

/**
 * The upsampling weights a net runs with, on the host, for streamContributions: a weights
 * file's own (with the fixed bilinear kernels it leaves out filled in, as modelFromWeights
 * does), else the bilinear kernel (randomParams' initialization, and the paper's surgery
 * when an FCN is made from VGG16 weights, which have none).
 */
export function upsamplingWeights(spec: NetSpec, file?: WeightsFile): DeconvWeights {
  const host = file ? withBilinear(file, spec) : undefined;
  const out = new Map<string, Float32Array>();
  for (const n of spec.nodes) {
    if (n.op.type !== "deconv") continue;
    out.set(n.name, host?.get(`${n.name}.weight`)?.data ?? bilinearFilter(n.op.kernel, n.op.channels));
  }
  return out;
}

/**
 * The logits at output pixel (y, x) split by stream: one Float64Array of `classes` per
 * stream (same order as streamsOf), computed from the streams' source maps (taps, in
 * [h, w, c]) through the net's linear ops. Their sum is the net's output at (y, x).
 */
export function streamContributions(
  spec: NetSpec,
  inputSize: readonly [number, number],
  sources: ReadonlyMap<string, HostMap>,
  deconv: DeconvWeights,
  y: number,
  x: number,
): Float64Array[] {
  const shapes = blobShapes(spec, inputSize[0], inputSize[1]);
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const [oh, ow] = shapes.get(spec.output)!;
  if (!(y >= 0 && y < oh && x >= 0 && x < ow && Number.isInteger(y) && Number.isInteger(x))) {
    throw new Error(`pixel (row ${y}, col ${x}) is outside the ${oh}×${ow} output`);
  }
  return streamsOf(spec).map((stream) => {
    const memo = new Map<string, Float64Array | null>();
    const value = (node: NetNode, i: number, j: number): Float64Array | null => {
      const [h, w, c] = shapes.get(node.name)!;
      if (i < 0 || j < 0 || i >= h || j >= w) return null; // outside the blob: nothing
      const key = `${node.name}:${i}:${j}`;
      if (memo.has(key)) return memo.get(key)!;
      let out: Float64Array | null = null;
      const op = node.op;
      if (!LINEAR.has(op.type)) {
        if (node.name === stream.source) {
          const m = sources.get(node.name);
          if (!m) throw new Error(`streamContributions: the ${node.name} map is missing`);
          if (m.shape[0] !== h || m.shape[1] !== w || m.shape[2] !== c) {
            throw new Error(`streamContributions: ${node.name} is [${m.shape.join(", ")}], expected [${h}, ${w}, ${c}] for this input size`);
          }
          out = Float64Array.from({ length: c }, (_, k) => m.data[(i * w + j) * c + k]!);
        }
      } else if (op.type === "crop") {
        out = value(byName.get(node.inputs[0]!)!, i + op.offset, j + op.offset);
      } else if (op.type === "scale") {
        const v = value(byName.get(node.inputs[0]!)!, i, j);
        out = v && v.map((a) => a * op.factor);
      } else if (op.type === "sum") {
        for (const inp of node.inputs) {
          const v = value(byName.get(inp)!, i, j);
          if (!v) continue;
          out ??= new Float64Array(c);
          for (let k = 0; k < c; k++) out[k]! += v[k]!;
        }
      } else if (op.type === "deconv") {
        // out[i, j, o] = sum over input cells (p, q) with 0 <= i - s*p < k, 0 <= j - s*q < k of
        //                W[i - s*p][j - s*q][o][ci] * in[p, q, ci]     (tfjs filter [k, k, out, in])
        const src = byName.get(node.inputs[0]!)!;
        const [, , cin] = shapes.get(src.name)!;
        const wts = deconv.get(node.name);
        if (!wts) throw new Error(`streamContributions: no weights for ${node.name}`);
        const { kernel: k, stride: s } = op;
        for (let p = Math.max(0, Math.ceil((i - k + 1) / s)); p <= Math.floor(i / s); p++) {
          for (let q = Math.max(0, Math.ceil((j - k + 1) / s)); q <= Math.floor(j / s); q++) {
            const v = value(src, p, q);
            if (!v) continue;
            out ??= new Float64Array(c);
            const base = ((i - s * p) * k + (j - s * q)) * c * cin;
            for (let o = 0; o < c; o++) {
              let acc = 0;
              for (let ci = 0; ci < cin; ci++) acc += wts[base + o * cin + ci]! * v[ci]!;
              out[o]! += acc;
            }
          }
        }
      }
      memo.set(key, out);
      return out;
    };
    return value(byName.get(spec.output)!, y, x) ?? new Float64Array(spec.classes);
  });
}
