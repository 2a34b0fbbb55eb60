/**
 * How execute.ts runs layers on each backend, where that changes the memory a pass
 * needs: the memory planner (memory.ts) reads the same decisions, so plan and execution
 * cannot drift apart.
 */
import type { NetNode, NetSpec, Op } from "./spec.js";

type ConvOp = Extract<Op, { type: "conv" }>;

/** wasm32 pointers. */
const POINTER = 4;
const FLOAT = 4;

/**
 * Bytes of one band of a banded upsampling (block-upsampling.ts, on wasm and cpu). A
 * setting object so that tests can make bands small enough to need several.
 */
export const DECONV_BAND = { bytes: 32 * 2 ** 20 };

/** XNNPACK convolves 1x1 / stride 1 / no padding as a plain GEMM, without indirection. */
export function hasIndirection(op: ConvOp): boolean {
  return !(op.kernel === 1 && op.stride === 1 && op.pad === 0);
}

/**
 * wasm: should a convolution keep XNNPACK's operator (packed weights and indirection
 * buffer, a pointer per output pixel and kernel tap) between passes? Yes when the buffer
 * is smaller than the weights (repacking those on every pass would cost more than the
 * buffer's memory: fc6, the deep layers); no for the wide early layers, whose buffer
 * dwarfs their filter (conv1_2 on a 4000x3000 photo: 480 MB for a 147 KB filter). Those
 * run on a throwaway copy of the filter, which frees the buffer after the layer.
 */
export function wasmKeepsConvBuffers(op: ConvOp, outH: number, outW: number): boolean {
  if (!hasIndirection(op)) return true;
  return outH * outW * op.kernel * op.kernel * POINTER <= op.kernel * op.kernel * op.inChannels * op.outChannels * FLOAT;
}

/** Backends that read tensors back cheaply and synchronously: upsampling runs in bands there. */
export function bandedUpsampling(backend: string): boolean {
  return backend === "wasm" || backend === "cpu";
}

/** An upsampling layer (kernel 2 x stride, the only kind FCN has) that inference runs by blocks (block-upsampling.ts). */
export function isBlockUpsampling(op: Op): boolean {
  return op.type === "deconv" && op.kernel === 2 * op.stride;
}

/**
 * Upsamplings computed only where their crop reads (upscore8 -> score): on a banded
 * backend, when the crop is the upsampled blob's only reader and the blob itself is not
 * a requested tap. The full blob (31 pixels wider all round for FCN-8s) is then never
 * made, and the pass ends holding the output once. Maps the upsampling's name to its crop.
 */
export function fusedUpsamplings(spec: NetSpec, wanted: ReadonlySet<string>, backend: string): Map<string, NetNode> {
  const fused = new Map<string, NetNode>();
  if (!bandedUpsampling(backend)) return fused;
  for (const node of spec.nodes) {
    if (!isBlockUpsampling(node.op) || wanted.has(node.name)) continue;
    const readers = spec.nodes.filter((n) => n.inputs.includes(node.name));
    if (readers.length === 1 && readers[0]!.op.type === "crop") fused.set(node.name, readers[0]!);
  }
  return fused;
}
