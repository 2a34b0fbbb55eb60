/**
 * Large inputs and the GPU's texture limit.
 *
 * tfjs's WebGL backend stores every tensor as a 2D texture, and a GPU caps a texture's
 * side (WebGL MAX_TEXTURE_SIZE: 4096 on many laptops and phones, 8192 or 16384 on
 * desktops). The FCN's biggest tensors are not the blobs but the im2col matrices of the
 * first convolutions: conv1_2 on a 500x500 image (698x698 after conv1_1's pad 100)
 * multiplies a [3·3·64, 698·698] matrix. A tensor whose texture does not fit makes tfjs
 * throw mid-pass at best; a GPU out of memory can lose its context and hand back zeros.
 *
 * So before a pass the explorer lists the tensors the pass will create (same shapes as
 * tfjs-backend-webgl 4.22's conv2d / matMul paths and src/net/execute.ts's ops), asks
 * tfjs's own texture-shape function what each needs, and shrinks the input (same aspect
 * ratio) until every one fits, saying why. Nothing here touches the GPU.
 */
import type { NetSpec } from "../src/net/spec.js";
import { blobShapes } from "../src/net/geometry.js";

/** tfjs-backend-webgl's webgl_util.getTextureShapeFromLogicalShape (it reads WEBGL_MAX_TEXTURE_SIZE itself). */
export type TextureShapeFn = (logicalShape: number[], isPacked?: boolean) => number[];

export interface TensorNeed {
  /** What it is, e.g. "conv1_2 im2col". */
  readonly what: string;
  /** Logical shape as tfjs sees it. */
  readonly shape: readonly number[];
  /**
   * Made and read by packed programs only (the GEMM intermediates). Blobs may also be
   * unpacked (max pooling runs unpacked), which needs a larger texture side.
   */
  readonly packedOnly?: boolean;
}

/**
 * The tensors a forward pass of `spec` creates on the WebGL backend for an h x w input:
 * every blob, and the matrices of each layer's implementation (conv k>1: im2col
 * [1, k·k·in, outH·outW] and the product [1, outH·outW, out], unless `directConv` (tfjs's
 * WEBGL_EXP_CONV, which convolves without them); 1x1 conv: [1, H·W, in] and
 * [1, H·W, out]; upsampling as four GEMMs: [h·w, in], [h·w, s·s·out], the padded and
 * transposed block tensors).
 */
export function webglTensorNeeds(spec: NetSpec, h: number, w: number, o: { directConv?: boolean } = {}): TensorNeed[] {
  const shapes = blobShapes(spec, h, w);
  const out: TensorNeed[] = [];
  for (const node of spec.nodes) {
    const [bh, bw, bc] = shapes.get(node.name)!;
    out.push({ what: node.name, shape: [1, bh, bw, bc] });
    const src = node.inputs.length ? shapes.get(node.inputs[0]!)! : undefined;
    const op = node.op;
    if (op.type === "conv" && src) {
      if (op.kernel === 1 && op.stride === 1) {
        out.push({ what: `${node.name} matmul input`, shape: [1, src[0] * src[1], op.inChannels], packedOnly: true });
        out.push({ what: `${node.name} matmul output`, shape: [1, bh * bw, op.outChannels], packedOnly: true });
      } else if (!(o.directConv && op.stride <= 2)) {
        out.push({ what: `${node.name} im2col`, shape: [1, op.kernel * op.kernel * op.inChannels, bh * bw], packedOnly: true });
        out.push({ what: `${node.name} matmul output`, shape: [1, bh * bw, op.outChannels], packedOnly: true });
      }
    } else if (op.type === "deconv" && src) {
      const [ih, iw, ic] = src;
      const s = op.stride;
      out.push({ what: `${node.name} rows`, shape: [ih * iw, ic], packedOnly: true });
      out.push({ what: `${node.name} quadrant product`, shape: [ih * iw, s * s * op.channels], packedOnly: true });
      out.push({ what: `${node.name} blocks`, shape: [ih + 1, iw + 1, s * s * op.channels], packedOnly: true });
      out.push({ what: `${node.name} blocks (transposed)`, shape: [ih + 1, s, iw + 1, s * op.channels], packedOnly: true });
    } else if (op.type === "fc" && src) {
      out.push({ what: `${node.name} flattened`, shape: [1, src[0] * src[1] * src[2]], packedOnly: true });
    }
  }
  return out;
}

/**
 * Does a tensor fit textures of at most maxTextureSize texels a side: packed (2x2 values
 * per RGBA texel, tfjs's default), and unless `packedOnly`, unpacked too? `texels` is the
 * failing (or else the largest) texture, width x height.
 */
export function textureFits(shape: readonly number[], maxTextureSize: number, textureShape: TextureShapeFn, packedOnly = false): { ok: boolean; texels: [number, number] } {
  const packed = textureShape([...shape], true);
  // Packed textures hold 2x2 values per texel: the logical shape halves.
  const p: [number, number] = [Math.ceil(packed[1]! / 2), Math.ceil(packed[0]! / 2)];
  if (p[0] > maxTextureSize || p[1] > maxTextureSize) return { ok: false, texels: p };
  if (packedOnly) return { ok: true, texels: p };
  const unpacked = textureShape([...shape], false);
  const u: [number, number] = [unpacked[1]!, unpacked[0]!];
  return { ok: u[0] <= maxTextureSize && u[1] <= maxTextureSize, texels: u };
}

/** The first tensor of a pass that does not fit, or null when all do. */
export function firstMisfit(
  spec: NetSpec,
  h: number,
  w: number,
  maxTextureSize: number,
  textureShape: TextureShapeFn,
  o: { directConv?: boolean } = {},
): (TensorNeed & { texels: [number, number] }) | null {
  for (const need of webglTensorNeeds(spec, h, w, o)) {
    const f = textureFits(need.shape, maxTextureSize, textureShape, need.packedOnly);
    if (!f.ok) return { ...need, texels: f.texels };
  }
  return null;
}

export interface InputPlan {
  /** The size the network will run on. */
  readonly height: number;
  readonly width: number;
  /** True when it differs from the image's size. */
  readonly resized: boolean;
  /** Why, for the user (empty when not resized). */
  readonly reasons: readonly string[];
}

export interface PlanOptions {
  /** The user's cap on the longer side (the explorer's "max side" control); Infinity for none. */
  readonly maxSide: number;
  /** WebGL only: the GPU's MAX_TEXTURE_SIZE and tfjs's texture-shape function. */
  readonly texture?: {
    readonly maxTextureSize: number;
    readonly textureShape: TextureShapeFn;
    /** tfjs's WEBGL_EXP_CONV is on: 3x3 convolutions run directly, without im2col matrices. */
    readonly directConv?: boolean;
  };
  /** The smallest input the net accepts (minInputSize(spec)). */
  readonly minSide: number;
}

/** Scale h x w so that the longer side is `side`, keeping the aspect ratio (each side at least 1). */
export function scaledSize(h: number, w: number, side: number): [number, number] {
  const k = side / Math.max(h, w);
  return [Math.max(1, Math.round(h * k)), Math.max(1, Math.round(w * k))];
}

/**
 * The input size to run: the image's, shrunk to the user's max side, then (WebGL) until
 * every tensor of the pass fits the GPU's textures; the short side is kept at or above
 * the net's minimum. Throws when even the smallest input does not fit.
 */
export function planInput(spec: NetSpec, h: number, w: number, o: PlanOptions): InputPlan {
  const reasons: string[] = [];
  let [ph, pw] = [h, w];
  if (Math.max(h, w) > o.maxSide) {
    [ph, pw] = scaledSize(h, w, o.maxSide);
    reasons.push(`the longer side is capped at ${o.maxSide} px (the "max side" setting)`);
  }
  // Too small for the net (a thumbnail): scale up so the short side reaches the minimum.
  if (Math.min(ph, pw) < o.minSide) {
    const k = o.minSide / Math.min(ph, pw);
    [ph, pw] = [Math.max(o.minSide, Math.round(ph * k)), Math.max(o.minSide, Math.round(pw * k))];
    reasons.push(`${spec.model} needs at least ${o.minSide} px on each side`);
  }
  if (o.texture) {
    const { maxTextureSize, textureShape } = o.texture;
    const how = { directConv: o.texture.directConv ?? false };
    const first = firstMisfit(spec, ph, pw, maxTextureSize, textureShape, how);
    if (first) {
      // The largest longer side that fits, by bisection (the tensors grow with the input).
      const fits = (side: number) => {
        const [th, tw] = scaledSize(h, w, side);
        return Math.min(th, tw) >= o.minSide && !firstMisfit(spec, th, tw, maxTextureSize, textureShape, how);
      };
      let lo = Math.max(1, Math.ceil((o.minSide * Math.max(h, w)) / Math.min(h, w)));
      let hi = Math.max(ph, pw);
      if (!fits(lo)) {
        const [th, tw] = scaledSize(h, w, lo);
        const m = firstMisfit(spec, th, tw, maxTextureSize, textureShape, how) ?? first;
        throw new Error(
          `no input size fits this GPU: even at ${th}×${tw} ${m.what} needs a ${m.texels[0]}×${m.texels[1]} texture, ` +
            `above its limit of ${maxTextureSize} px a side (WebGL MAX_TEXTURE_SIZE). Use the WASM backend.`,
        );
      }
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (fits(mid)) lo = mid;
        else hi = mid;
      }
      [ph, pw] = scaledSize(h, w, lo);
      reasons.push(
        `this GPU's textures are at most ${maxTextureSize} px a side (WebGL MAX_TEXTURE_SIZE), and at the larger size ` +
          `${first.what} [${first.shape.join(", ")}] would need ${first.texels[0]}×${first.texels[1]} texels`,
      );
    }
  }
  return { height: ph, width: pw, resized: ph !== h || pw !== w, reasons };
}
