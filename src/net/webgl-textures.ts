/**
 * Large inputs and the GPU's texture limit: the WebGL case of the memory planner
 * (memory.ts), for the explorer page and anyone running the net on tfjs's WebGL backend.
 *
 * tfjs's WebGL backend stores every tensor as a 2D texture, and a GPU caps a texture's
 * side (WebGL MAX_TEXTURE_SIZE: 4096 on many laptops and phones, 8192 or 16384 on
 * desktops). The FCN's biggest tensors are not the blobs but the im2col matrices of the
 * first convolutions: conv1_2 on a 500x500 image (698x698 after conv1_1's pad 100)
 * multiplies a [3·3·64, 698·698] matrix. A tensor whose texture does not fit makes tfjs
 * throw mid-pass at best; a GPU out of memory can lose its context and hand back zeros.
 *
 * So before a pass memory.ts lists the tensors the pass will create (passTensors: the
 * shapes tfjs-backend-webgl's conv2d / matMul paths and the inference kernels of ops/ make), tfjs's own
 * texture-shape function says what each needs (textureFits, the planner's tensorFits test),
 * and planInput shrinks the input (same aspect ratio) until every one fits, saying why:
 *
 *   planInput(spec, h, w, { limits: webglLimits(maxTextureSize, tf.webgl_util.getTextureShapeFromLogicalShape) })
 *
 * Nothing here touches the GPU: the texture-shape function is passed in (it reads tfjs's
 * WEBGL_MAX_TEXTURE_SIZE flag, which a page has from its GPU and a test sets by hand).
 */
import type { MemoryLimits } from "./pass-tensors.js";

/** tfjs-backend-webgl's webgl_util.getTextureShapeFromLogicalShape (it reads WEBGL_MAX_TEXTURE_SIZE itself). */
export type TextureShapeFn = (logicalShape: number[], isPacked?: boolean) => number[];

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

/**
 * The WebGL backend's limits for the memory planner: no byte budget is known (the
 * driver's), but every tensor of the pass must fit the GPU's textures. Blobs may be
 * unpacked (max pooling runs unpacked), the GEMM intermediates only packed (PassTensor.packedOnly).
 */
export function webglLimits(maxTextureSize: number, textureShape: TextureShapeFn): MemoryLimits {
  return {
    backend: "webgl",
    totalBytes: null,
    tensorBytes: null,
    alternatives: "the WASM backend",
    tensorFits: (t) => {
      const f = textureFits(t.shape, maxTextureSize, textureShape, t.packedOnly);
      return f.ok
        ? null
        : `${t.what} [${t.shape.join(", ")}] would need ${f.texels[0]}×${f.texels[1]} texels, ` +
            `but this GPU's textures are at most ${maxTextureSize} px a side (WebGL MAX_TEXTURE_SIZE)`;
    },
  };
}
