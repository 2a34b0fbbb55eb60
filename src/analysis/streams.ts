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
 * streams are found by walking the net spec back from its output through the linear ops
 * (those with a `linear` entry in the op table, src/net/ops/), and one pixel is evaluated
 * by following only the cells that reach it (a handful per layer), in float64 on the CPU
 * from the downloaded score taps and the upsampling weights. It is independent of the GPU's own computation of `score`, which is what makes
 * "the streams sum to the logits" a real check.
 */
import { bilinearFilter } from "../../core/bilinear.js";
import { withBilinear } from "../load.js";
import { blobShapes } from "../net/geometry.js";
import { opDef } from "../net/ops/index.js";
import type { LinearContext } from "../net/ops/op-def.js";
import { paramSpecs } from "../net/params.js";
import type { NetSpec } from "../net/spec.js";
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

/**
 * The streams of a net: the non-linear blobs (score layers) the output reaches through
 * linear ops only, coarsest first.
 */
export function streamsOf(spec: NetSpec): Stream[] {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const sources: string[] = [];
  const visit = (name: string) => {
    const n = byName.get(name)!;
    if (!opDef(n.op).linear) {
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
  for (const p of paramSpecs(spec)) {
    if (p.kind !== "deconv") continue;
    // [k, k, out, in], out = in: bilinearFilter(k, channels), as randomParams makes it.
    out.set(p.layer, host?.get(p.name)?.data ?? bilinearFilter(p.shape[0]!, p.shape[2]!));
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
    // A blob's channels at cell (i, j): through the linear ops back to the stream's source
    // map, null where that source does not reach.
    function value(name: string, i: number, j: number): Float64Array | null {
      const [h, w, c] = shapes.get(name)!;
      if (i < 0 || j < 0 || i >= h || j >= w) return null; // outside the blob: nothing
      const key = `${name}:${i}:${j}`;
      if (memo.has(key)) return memo.get(key)!;
      const node = byName.get(name)!;
      const linear = opDef(node.op).linear;
      let out: Float64Array | null = null;
      if (linear) out = linear.at(node, i, j, ctx);
      else if (name === stream.source) {
        const m = sources.get(name);
        if (!m) throw new Error(`streamContributions: the ${name} map is missing`);
        if (m.shape[0] !== h || m.shape[1] !== w || m.shape[2] !== c) {
          throw new Error(`streamContributions: ${name} is [${m.shape.join(", ")}], expected [${h}, ${w}, ${c}] for this input size`);
        }
        out = Float64Array.from({ length: c }, (_, k) => m.data[(i * w + j) * c + k]!);
      }
      memo.set(key, out);
      return out;
    }
    const ctx: LinearContext = {
      value,
      shapeOf: (blob) => shapes.get(blob)!,
      weights(layer) {
        const wts = deconv.get(layer);
        if (!wts) throw new Error(`streamContributions: no weights for ${layer}`);
        return wts;
      },
    };
    return value(spec.output, y, x) ?? new Float64Array(spec.classes);
  });
}
