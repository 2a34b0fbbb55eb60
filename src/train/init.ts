/**
 * Initializing a finer FCN from a trained coarser one, as the paper trained them in
 * stages: FCN-16s from FCN-32s, FCN-8s from FCN-16s. Every layer the two share keeps its
 * trained weights; the new skip score layers (score_pool4, score_pool3) start at zero, so
 * the finer net starts out computing exactly what the coarser one did, upsampled; new
 * upsampling layers start bilinear. (VGG16 -> FCN-32s is the library's `surgery`.)
 */
import { bilinearFilter } from "../../core/bilinear.js";
import { paramSpecs } from "../net/params.js";
import type { NetSpec } from "../net/spec.js";
import type { HostParams } from "../weights/types.js";

const NEW_SCORE_LAYERS = new Set(["score_pool4", "score_pool3"]);

export function initFromCoarser(coarse: HostParams, fine: NetSpec): HostParams {
  const out: HostParams = new Map();
  const problems: string[] = [];
  for (const p of paramSpecs(fine)) {
    const src = coarse.get(p.name);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (src && src.shape.join("x") === p.shape.join("x")) {
      out.set(p.name, { shape: p.shape, data: Float32Array.from(src.data) });
    } else if (src) {
      problems.push(`${p.name}: the coarser net has ${src.shape.join("x")}, ${fine.model} needs ${p.shape.join("x")}`);
    } else if (p.kind === "deconv") {
      out.set(p.name, { shape: p.shape, data: bilinearFilter(p.shape[0]!, p.shape[2]!) });
    } else if (NEW_SCORE_LAYERS.has(p.layer)) {
      out.set(p.name, { shape: p.shape, data: new Float32Array(size) });
    } else {
      problems.push(`${p.name}: missing from the coarser net`);
    }
  }
  if (problems.length) throw new Error(`cannot initialize ${fine.model} from these weights:\n  ${problems.join("\n  ")}`);
  return out;
}
