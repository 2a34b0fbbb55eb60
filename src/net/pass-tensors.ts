/**
 * The memory planner's unit: one tensor a forward pass creates. memory.ts adds them up;
 * each op's module (ops/) lists the working tensors its inference kernel makes, beside
 * the kernel, so that plan and execution are written side by side.
 */

export const FLOAT = 4;
/** wasm32 pointers. */
export const POINTER = 4;

/** One tensor a pass creates. */
export interface PassTensor {
  /** What it is: "conv1_2", "conv1_2 im2col", "upscore8 blocks". */
  readonly what: string;
  /** The layer that makes it. */
  readonly layer: string;
  /** Logical shape as tfjs sees it. */
  readonly shape: readonly number[];
  readonly bytes: number;
  /**
   * blob: a layer's output (a tap); scratch: made and freed while its layer runs;
   * kept: a kernel's buffer that outlives its layer (wasm's indirection buffers).
   */
  readonly kind: "blob" | "scratch" | "kept";
  /** WebGL: made and read by packed programs only (the GEMM intermediates). */
  readonly packedOnly?: boolean;
}

export interface PassOptions {
  /** Taps the caller keeps (alive until the end), as ForwardOptions.taps. Default: the output. */
  readonly taps?: readonly string[] | "all";
  /**
   * Weights above this many bytes are split along output channels (WebGPU binding
   * limit, see prepareParams): their layers concatenate partial outputs.
   */
  readonly splitAbove?: number | null;
  /** WebGL: tfjs's WEBGL_EXP_CONV, 3x3 convolutions without im2col matrices. */
  readonly directConv?: boolean;
  /**
   * The pass checks every blob for NaN/Inf (ForwardOptions.finiteFlags). A reduction to
   * one number per blob: nothing to plan, accepted for callers that pass it along.
   */
  readonly checkFinite?: boolean;
  /**
   * The model's first pass (a fresh model, as in the CLI): on wasm, XNNPACK packs a
   * layer's weights when it first runs, so early layers run before the big packed copies
   * (fc6's 411 MB) exist. Default false: the steady state of later passes.
   */
  readonly firstPass?: boolean;
  /** Bytes of other tensors already on the backend (not the model's weights, not the input). */
  readonly otherBytes?: number;
}

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export const f32 = (what: string, layer: string, shape: number[], kind: PassTensor["kind"], packedOnly?: boolean): PassTensor => ({
  what,
  layer,
  shape,
  bytes: numel(shape) * FLOAT,
  kind,
  ...(packedOnly ? { packedOnly } : {}),
});

/** Is a weight of this many bytes split into output-channel chunks (PassOptions.splitAbove)? */
export function isSplit(bytes: number, o: PassOptions): boolean {
  return o.splitAbove !== undefined && o.splitAbove !== null && bytes > o.splitAbove;
}

/** What a backend can hold (from backends/limits.ts's memoryLimits(), or the caller's own). */
export interface MemoryLimits {
  /** The tfjs backend: "wasm", "cpu", "webgpu", "webgl". */
  readonly backend: string;
  /** Bytes everything must fit in together (wasm32: 4 GiB; cpu: the machine's RAM); null when unknown. */
  readonly totalBytes: number | null;
  /** What totalBytes is, for messages: "the 4 GiB a 32-bit WebAssembly module can address". */
  readonly totalWhat?: string;
  /** The largest one tensor may be (WebGPU: the storage-binding and buffer limits); null: no limit. */
  readonly tensorBytes: number | null;
  readonly tensorWhat?: string;
  /**
   * A backend's own test of one tensor (WebGL: its texture must fit MAX_TEXTURE_SIZE):
   * null when it fits, else why not.
   */
  readonly tensorFits?: (t: PassTensor) => string | null;
  /** What else could run this input, for messages ("--backend cpu has no 4 GiB ceiling"). */
  readonly alternatives?: string;
}
