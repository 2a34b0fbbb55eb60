import { useBackend, type BackendInfo } from "../../src/backends/index.js";

/**
 * Start webgpu, or skip the calling test with the precise reason it cannot start here.
 * CI sets FCN_VIZ_REQUIRE_WEBGPU=1: there a missing WebGPU is a failure, not a skip.
 */
export async function webgpuOrSkip(ctx: { skip: (note?: string) => never }): Promise<BackendInfo> {
  try {
    return await useBackend("webgpu");
  } catch (e) {
    if (process.env.FCN_VIZ_REQUIRE_WEBGPU === "1") throw e;
    return ctx.skip(`webgpu unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
}
