/**
 * What makes a downloaded or imported file the published one: its size and checksum
 * where someone published them, and always every tensor, shape for shape, against the
 * net the registry names (no checksum exists for most of the authors' files).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { withBilinear } from "../load.js";
import { paramSpecs } from "../net/params.js";
import { checkWeights, readWeights } from "../weights/index.js";
import { publishedSpec, type PublishedWeights } from "./registry.js";

/** Hex digests of a file in one read (a 540 MB file is read once, not once per algorithm). */
export async function hashFile<A extends string>(p: string, algorithms: readonly A[]): Promise<Record<A, string>> {
  const hashes = algorithms.map((a) => createHash(a));
  for await (const chunk of createReadStream(p, { highWaterMark: 1 << 22 })) {
    for (const h of hashes) h.update(chunk as Buffer);
  }
  return Object.fromEntries(algorithms.map((a, i) => [a, hashes[i]!.digest("hex")])) as Record<A, string>;
}

/**
 * Reads the file as the registry's format and checks every tensor against the full net
 * it names (model, width, classes, at-once). Throws one message naming what is wrong.
 */
export async function checkPublishedTensors(w: PublishedWeights, p: string, label: string): Promise<void> {
  // Messages name `label` (the URL or the user's file), not the temporary file that is about to go.
  const file = await readWeights(p).catch((e: Error) => {
    throw new Error(e.message.replaceAll(p, label));
  });
  if (file.format !== w.format) {
    throw new Error(`${label} is a ${file.format} file, but ${w.name} is published as ${w.format}; a converted copy needs no fetch: pass it as --weights FILE`);
  }
  if (file.meta.model !== undefined && file.meta.model !== w.model) {
    throw new Error(`${label} holds ${file.meta.model}, but ${w.name} is ${w.model}`);
  }
  // Same tensors as FCN-8s: only the file's own layers tell the at-once net apart.
  if (file.meta.atOnce !== undefined && file.meta.atOnce !== (w.atOnce ?? false)) {
    throw new Error(`${label} is the ${file.meta.atOnce ? "at-once" : "staged"} FCN-8s, but ${w.name} is the ${w.atOnce ? "at-once" : "staged"} one`);
  }
  const spec = publishedSpec(w);
  checkWeights(paramSpecs(spec), withBilinear(file, spec), { format: file.format, source: label });
}
