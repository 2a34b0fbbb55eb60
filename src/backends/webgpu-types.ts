/**
 * The parts of WebGPU used by the backends, as minimal structural types (the full ones live
 * in @webgpu/types), and what is reported about an adapter.
 */

/** How Dawn reached an adapter: its default API (Vulkan/Metal/D3D12), OpenGL ES, or the browser's. */
export type Route = "default" | "opengles" | "browser";

/** The GPU adapter a webgpu backend runs on. */
export interface AdapterSummary {
  /** Human-readable: vendor/architecture/device, else Dawn's description. */
  readonly description: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  /** The adapter says it is a fallback (CPU) adapter. Dawn's GLES llvmpipe says false. */
  readonly isFallback: boolean;
  /** Software rasterizer (SwiftShader, llvmpipe, lavapipe, WARP...): isFallback or by name. */
  readonly software: boolean;
  /** How Dawn reached it: its default API (Vulkan/Metal/D3D12), OpenGL ES, or the browser's. */
  readonly via: Route;
  readonly featureLevel: "core" | "compatibility";
  /** Largest buffer one shader may bind: weights above it must be split (see net/filter-chunks.ts). */
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

export interface MiniAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface MiniLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeInvocationsPerWorkgroup: number;
}
export interface MiniDevice {
  limits: MiniLimits;
  queue: { onSubmittedWorkDone(): Promise<undefined> };
  lost: Promise<{ message: string; reason?: string }>;
  addEventListener(type: "uncapturederror", cb: (ev: { error: { message: string } }) => void): void;
  destroy(): void;
}
export interface MiniAdapter {
  info?: MiniAdapterInfo;
  isFallbackAdapter?: boolean;
  featureLevel?: string;
  limits: MiniLimits;
  features: { has(f: string): boolean };
  requestDevice(desc?: object): Promise<MiniDevice>;
}
export interface MiniGpu {
  requestAdapter(options?: object): Promise<MiniAdapter | null>;
}
