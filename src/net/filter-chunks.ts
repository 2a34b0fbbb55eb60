/**
 * Splitting large conv filters along their output channels, so that each piece fits a
 * backend's largest buffer (WebGPU adapters may cap one binding at 128 MiB, while fc6 alone
 * is 411 MB; see maxBufferBytes in backends/webgpu.ts). The executor prepares conv and fc
 * weights with chunkedLayer (ops/conv.ts, ops/fc.ts); conv2dChunked runs such a filter.
 */
import * as tf from "@tensorflow/tfjs";

/** A filter in host memory, tfjs layout [kH, kW, in, out] (HostTensor fits). */
export interface HostFilter {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Output-channel counts of the chunks a [kH, kW, in, out] float32 filter is split into so
 * that each chunk is at most maxBytes. Chunks are balanced (sizes differ by at most 1).
 */
export function planOutputChunks(shape: readonly number[], maxBytes: number): number[] {
  if (shape.length !== 4) throw new Error(`conv filter must be [kH, kW, in, out], got [${shape.join(", ")}]`);
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const perChannel = kh * kw * cin * 4;
  if (!(maxBytes > 0)) throw new Error(`maxBytes must be positive, got ${maxBytes}`);
  if (perChannel > maxBytes) {
    throw new Error(
      `one output channel of this [${shape.join(", ")}] filter is ${perChannel} bytes, above the ` +
        `limit ${maxBytes}: splitting along output channels cannot help`,
    );
  }
  const maxPerChunk = Math.floor(maxBytes / perChannel);
  const n = Math.ceil(cout / maxPerChunk);
  const base = Math.floor(cout / n);
  const extra = cout - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Split a [kH, kW, in, out] filter along output channels into tensors of at most maxBytes
 * each (one tensor when it already fits). The slicing happens on the host: slicing a
 * too-large tensor on webgpu (tf.slice) binds the whole buffer and fails the same way.
 * Pass host data when you have it; a tf.Tensor is read back with dataSync().
 * The caller owns (and disposes) the returned tensors.
 */
export function splitConvFilter(filter: HostFilter | tf.Tensor, maxBytes: number): tf.Tensor4D[] {
  const shape = [...filter.shape];
  const sizes = planOutputChunks(shape, maxBytes);
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  if (filter instanceof tf.Tensor && sizes.length === 1) return [tf.clone(filter) as tf.Tensor4D];
  const data = filter instanceof tf.Tensor ? (filter.dataSync() as Float32Array) : filter.data;
  if (data.length !== kh * kw * cin * cout) {
    throw new Error(`filter data has ${data.length} values, shape [${shape.join(", ")}] needs ${kh * kw * cin * cout}`);
  }
  if (sizes.length === 1) return [tf.tensor4d(data, [kh, kw, cin, cout])];
  const rows = kh * kw * cin; // HWIO: output channels are the innermost axis
  const parts: tf.Tensor4D[] = [];
  let start = 0;
  for (const size of sizes) {
    const chunk = new Float32Array(rows * size);
    for (let r = 0; r < rows; r++) {
      chunk.set(data.subarray(r * cout + start, r * cout + start + size), r * size);
    }
    parts.push(tf.tensor4d(chunk, [kh, kw, cin, size]));
    start += size;
  }
  return parts;
}

/**
 * A conv or fc layer's weight and bias as the executor holds them: split into output-channel
 * chunks of at most maxBytes (none: one piece), the bias split alike. Unsplit, they share
 * the caller's data (a reshape; tf.clone copies on wasm, which would hold the weights
 * twice while the model is built).
 */
export function chunkedLayer(weight: tf.Tensor, bias: tf.Tensor1D, maxBytes: number | null): { chunks: tf.Tensor4D[]; biases: tf.Tensor1D[] } {
  const chunks = maxBytes ? splitConvFilter(weight, maxBytes) : [weight.reshape(weight.shape) as tf.Tensor4D];
  const biases: tf.Tensor1D[] = [];
  let start = 0;
  for (const c of chunks) {
    const size = c.shape[3];
    biases.push(chunks.length === 1 ? bias.reshape(bias.shape) as tf.Tensor1D : tf.tensor1d((bias.dataSync() as Float32Array).slice(start, start + size)));
    start += size;
  }
  return { chunks, biases };
}

/** conv2d with a filter given as output-channel chunks (splitConvFilter): conv each, concat. */
export function conv2dChunked(
  x: tf.Tensor4D,
  parts: readonly tf.Tensor4D[],
  strides: number | [number, number],
  pad: "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]],
): tf.Tensor4D {
  return tf.tidy(() => {
    const outs = parts.map((f) => tf.conv2d(x, f, strides, pad));
    return outs.length === 1 ? outs[0]! : tf.concat4d(outs, 3);
  });
}
