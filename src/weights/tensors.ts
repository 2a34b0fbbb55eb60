import * as tf from "@tensorflow/tfjs";
import type { HostParams, Params } from "./types.js";

/**
 * Host arrays -> tfjs tensors. On the cpu backend a tensor may keep a reference to the
 * host array instead of copying it (the 411 MB fc6 is then not held twice), so do not
 * mutate `params` afterwards. Dispose the result when done (or keep it for the model).
 */
export function toTensors(params: HostParams): Params {
  const out: Params = new Map();
  try {
    for (const [name, t] of params) out.set(name, tf.tensor(t.data, [...t.shape], "float32"));
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  return out;
}

/**
 * tfjs tensors -> host arrays (fresh copies: backends may hand out their own storage).
 * The tensors are not disposed.
 */
export async function fromTensors(params: ReadonlyMap<string, tf.Tensor>): Promise<HostParams> {
  const out: HostParams = new Map();
  for (const [name, t] of params) {
    const data = await t.data();
    out.set(name, { shape: [...t.shape], data: new Float32Array(data as ArrayLike<number>) });
  }
  return out;
}
