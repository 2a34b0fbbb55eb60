/**
 * `fcn-viz/notebook` (Node only: it reads files): what the notebooks share beyond the
 * library. The sample photos, sized for a full-width net; and the published nets (the
 * authors' FCNs, the VGG authors' VGG16) when `npx fcn-viz fetch NAME` has put them in the
 * cache. Each notebook asks `publishedStatus` once near the top; its section on the real
 * nets runs only when they are there, and otherwise prints the one line that says how to
 * get them.
 *
 *   const voc = publishedStatus(["voc-fcn8s"], { section: "6" });
 *   console.log(voc.line);
 *   if (voc.ready) { const file = await readPublished("voc-fcn8s"); ... }
 *
 * And `claim`, the check that stands beside a sentence of the prose (see its comment).
 *
 * The helpers that keep a cell to a sentence, a few lines and a figure (src/notebook/):
 *
 *   table(["blob", "stride"], rows);                                  // a markdown table, shown
 *   const { score_fr, score } = await run(net, scene, ["score_fr", "score"]);   // taps as arrays, tensors freed
 *   show(compareModels([{ image: picture(scene), truth: truthOf(scene), predictions }]));
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { decodeImage } from "./io/image.js";
import type { RgbImage } from "../core/image.js";
import { packageDir } from "./package-dir.js";
import { cachedWeightsPath, loadWeights, parameterBytes, publishedWeights, sizeText, weightsCacheDir } from "./published/index.js";
import type { WeightsFile } from "./weights/types.js";

export { markdownTable, table, type Cell } from "./notebook/tables.js";
export { run, type RunInput, type TapArray } from "./notebook/taps.js";
export { classRecall, picture, truthOf } from "./notebook/scenes.js";
export { convMacs, rms } from "./notebook/measures.js";

/** The photos in the package's sample-images/ (licences in sample-images/LICENSES.md). */
export const SAMPLE_PHOTOS = ["chelsea.png", "astronaut.png", "coffee.png", "grace_hopper.jpg", "rocket.jpg"] as const;

/**
 * Longest side the notebooks give a full-width net: a 500x500 FCN-8s pass takes seconds
 * on WASM, and 500 is the paper's own test size.
 */
export const PHOTO_MAX_SIDE = 500;

export interface SamplePhoto extends RgbImage {
  /** File name in sample-images/. */
  readonly name: string;
}

/** The package's sample-images/ folder (found from this module, in src/ or dist/src/). */
export function samplePhotosDir(): string {
  return packageDir("sample-images");
}

/** A sample photo, resized (bilinear) so that its longer side is at most `maxSide` (default: as it is). */
export function samplePhoto(file: string, o: { readonly maxSide?: number } = {}): SamplePhoto {
  const img = decodeImage(readFileSync(join(samplePhotosDir(), file)), file);
  const scale = Math.min(1, (o.maxSide ?? Infinity) / Math.max(img.width, img.height));
  if (scale === 1) return { name: file, width: img.width, height: img.height, rgb: img.rgb };
  return { name: file, ...resizeRgb(img, Math.round(img.height * scale), Math.round(img.width * scale)) };
}

/** An RGB image resized to height x width (bilinear, half-pixel centres), as 8-bit RGB. */
export function resizeRgb(img: RgbImage, height: number, width: number): RgbImage {
  const data = tf.tidy(() => {
    const x = tf.tensor3d(Float32Array.from(img.rgb), [img.height, img.width, 3]);
    return tf.clipByValue(tf.round(tf.image.resizeBilinear(x, [height, width], false, true)), 0, 255).dataSync();
  });
  return { width, height, rgb: Uint8Array.from(data) };
}

/**
 * The classifier's view of a photo: shorter side resized to `side`, then the centre
 * `side` x `side` square (the usual single-crop evaluation of an ImageNet classifier).
 */
export function centreSquare(img: RgbImage, side: number): RgbImage {
  const scale = side / Math.min(img.width, img.height);
  const r = resizeRgb(img, Math.max(side, Math.round(img.height * scale)), Math.max(side, Math.round(img.width * scale)));
  const top = Math.floor((r.height - side) / 2);
  const left = Math.floor((r.width - side) / 2);
  const rgb = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) rgb.set(r.rgb.subarray(((top + y) * r.width + left) * 3, ((top + y) * r.width + left + side) * 3), y * side * 3);
  return { width: side, height: side, rgb };
}

export interface PublishedStatus {
  /** The published names asked about. */
  readonly names: readonly string[];
  readonly cached: readonly string[];
  readonly missing: readonly string[];
  /** Every name is in the cache. */
  readonly ready: boolean;
  /** One line for the notebook: where the files are, or the command that gets them, with size and time. */
  readonly line: string;
}

/** Assumed line speed for the download-time estimate: an ordinary home connection. */
const MBIT_PER_S = 50;

/** The download's size in bytes: the published one, else the parameters' (a caffemodel adds little framing). */
const bytesOf = (name: string) => {
  const w = publishedWeights(name);
  return w.bytes ?? parameterBytes(w);
};

/** "1.5 min at 50 Mbit/s" for a download of `bytes`. */
export function downloadTime(bytes: number): string {
  const minutes = (bytes * 8) / (MBIT_PER_S * 1e6) / 60;
  const t = minutes < 1 ? "under a minute" : `${minutes < 10 ? minutes.toFixed(1).replace(/\.0$/, "") : Math.round(minutes)} min`;
  return `${t} at ${MBIT_PER_S} Mbit/s`;
}

/**
 * Which of the published nets `names` are in the cache, and the one line a notebook
 * prints about them. `section` names the notebook section that uses them.
 */
export function publishedStatus(names: readonly string[], o: { readonly section?: string } = {}): PublishedStatus {
  const cached = names.filter((n) => cachedWeightsPath(n) !== undefined);
  const missing = names.filter((n) => !cached.includes(n));
  const where = o.section ? `section ${o.section}` : "the section on the published nets";
  let line: string;
  if (!missing.length) {
    line = `published weights in the cache (${weightsCacheDir()}): ${names.map((n) => `${n} (${sizeText(publishedWeights(n))})`).join(", ")}; ${where} uses them.`;
  } else {
    const bytes = missing.reduce((s, n) => s + bytesOf(n), 0);
    const size = missing.length === 1 ? sizeText(publishedWeights(missing[0]!)) : `about ${Math.round(bytes / 1e6).toLocaleString("en-US")} MB`;
    const command = missing.map((n) => `npx fcn-viz fetch ${n}`).join(" && ");
    const have = cached.length ? `${cached.join(", ")} ${cached.length > 1 ? "are" : "is"} in the cache, ` : "";
    line = `${have}${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not${cached.length ? "" : " in the cache"} (${weightsCacheDir()}): \`${command}\` gets ${missing.length > 1 ? "them" : "it"} ` +
      `(${size}, ${downloadTime(bytes)}); ${where} ${cached.length ? "uses what is there" : `then uses ${names.length > 1 ? "them" : "it"}`}. Everything else runs as it is.`;
  }
  return { names, cached, missing, ready: missing.length === 0, line };
}

/**
 * Reads a published net from the cache, with a line before (it takes seconds) and after
 * (how long it took, what it is).
 */
export async function readPublished(name: string, log: (line: string) => void = console.log): Promise<WeightsFile> {
  const entry = publishedWeights(name);
  log(`reading ${name} from the cache (${sizeText(entry)}) ...`);
  const t0 = performance.now();
  const file = await loadWeights(name);
  const params = [...file.params.values()].reduce((s, t) => s + t.data.length, 0);
  log(`read ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${file.meta.model ?? "?"}, ${file.meta.classes ?? "?"} classes, ${(params / 1e6).toFixed(1)}M parameters (${entry.description})`);
  return file;
}

/** Softmax of a vector of logits. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]!);
  const out = new Float32Array(logits.length);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += out[i] = Math.exp(logits[i]! - m);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / z;
  return out;
}

/** The k largest entries of a vector, largest first: [index, value]. */
export function topK(values: ArrayLike<number>, k: number): [number, number][] {
  return Array.from(values, (v, i) => [i, v] as [number, number])
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k);
}

/** A sentence of a notebook's prose that its outputs no longer support. */
export class ClaimError extends Error {
  override name = "ClaimError";
}

/**
 * A claim the notebook's prose makes about what its cells computed, checked where it is
 * made. Quiet when `holds`; otherwise it throws, so the notebook fails (CI executes every
 * notebook) instead of reading one thing and showing another after a retrain, a new seed
 * or other weights. `statement` quotes the prose (test/notebook-claims.test.ts looks for
 * every number the markdown states in some claim's statement, or in its list of cited
 * facts); `found` says what the cells found instead, for the error message.
 *
 *   claim("fc6 alone holds 74 %", fc6Share.toFixed(0) === "74", `fc6 holds ${fc6Share.toFixed(1)} %`);
 */
export function claim(statement: string, holds: boolean, found: string): void {
  if (holds) return;
  throw new ClaimError(
    `The text says "${statement}", but ${found}. The outputs changed (new weights, a retrain, another seed?): ` +
      "rewrite the sentence, or better, write it from the value (tslab.display.markdown), so that it stays true.",
  );
}
