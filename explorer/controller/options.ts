/**
 * The page's URL parameters (for links, the tests and the benchmark), read once:
 *
 *   sample, model, weights  what to start with; weights is "random", a project model's
 *                           name ("project": the model's own), or "published:voc-fcn8s"
 *                           for a published net in the weights cache
 *   width, classes, seed    the seeded random weights ("1/8" or 0.125)
 *   backend, maxSide        the menus' starting values ("default" is read as "auto")
 *   maxTexture              pretend the GPU's textures are this small (WebGL)
 *   plan=0                  skip the backend-limits check, to see tfjs fail without it on WebGL
 *   webglConv=direct        tfjs's experimental direct convolution: no im2col matrices,
 *                           so larger inputs fit
 *   autorun=0               start without running
 */
import type { WeightsChoice } from "../pipeline.js";

export type RandomWeights = Extract<WeightsChoice, { kind: "random" }>;

export interface ExplorerOptions {
  readonly random: RandomWeights;
  readonly sample: string | null;
  readonly model: string | null;
  readonly weights: string | null;
  readonly backend: string | null;
  readonly maxSide: string | null;
  /** WEBGL_MAX_TEXTURE_SIZE to pretend, null: the GPU's. */
  readonly maxTexture: number | null;
  /** Plan the input against the backend's limits (plan=0: no). */
  readonly plan: boolean;
  /** WebGL: tfjs's WEBGL_EXP_CONV (webglConv=direct). */
  readonly directConv: boolean;
  readonly autorun: boolean;
}

export function parseOptions(query: string | URLSearchParams): ExplorerOptions {
  const params = typeof query === "string" ? new URLSearchParams(query) : query;
  const num = (k: string, d: number) => {
    const v = params.get(k);
    if (v === null || v.trim() === "") return d;
    const m = /^1\/(\d+)$/.exec(v.trim());
    return m ? 1 / Number(m[1]) : Number(v);
  };
  const backend = params.get("backend");
  const maxTexture = params.get("maxTexture");
  return {
    random: { kind: "random", width: num("width", 1 / 8), classes: num("classes", 21), seed: num("seed", 0) },
    sample: params.get("sample"),
    model: params.get("model"),
    weights: params.get("weights"),
    // The auto choice was called "default" once: old links keep working.
    backend: backend === "default" ? "auto" : backend,
    maxSide: params.get("maxSide"),
    maxTexture: maxTexture ? Number(maxTexture) : null,
    plan: params.get("plan") !== "0",
    directConv: params.get("webglConv") === "direct",
    autorun: params.get("autorun") !== "0",
  };
}
