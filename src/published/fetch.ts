/**
 * `fcn-viz fetch NAME`: puts a published weights file into the cache, checked, or says
 * in one message why it could not. The only code in fcn-viz that downloads anything,
 * and it runs only when asked.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { cacheTarget, partPath, sha256Path } from "./cache.js";
import { download, DownloadError, removePart, type DownloadProgress } from "./download.js";
import { formatBytes, PUBLISHED_WEIGHTS, publishedWeights, sizeText, type PublishedWeights, type Registry } from "./registry.js";
import { checkPublishedTensors, hashFile } from "./verify.js";
import { ensureDir } from "../io/files.js";

export interface FetchOptions {
  /** Download from here instead of the publisher's URL. */
  readonly url?: string;
  /** Import this local copy instead of downloading (copied, never moved). */
  readonly from?: string;
  readonly onProgress?: (p: DownloadProgress) => void;
  /** Steps, warnings and the sha256, one line each. */
  readonly log?: (line: string) => void;
  /** Idle timeout of the download, default 30 s. */
  readonly timeoutMs?: number;
  readonly registry?: Registry;
}

/** A fetch that failed; the message says why and what to do. */
export class FetchError extends Error {
  override readonly name = "FetchError";
}

/**
 * Fetches (or imports) a published file into the cache and returns its path. Already
 * cached: returns at once (with --url or --from, the copy is replaced once the new one
 * checks out). The file only appears under its final name after every check passed.
 */
export async function fetchWeights(name: string, o: FetchOptions = {}): Promise<string> {
  const w = publishedWeights(name, o.registry ?? PUBLISHED_WEIGHTS);
  if (o.url && o.from) throw new FetchError("give --url or --from, not both");
  const log = o.log ?? (() => {});
  const target = cacheTarget(w);
  const official = !o.url && !o.from;
  if (official && (await isFile(target))) {
    log(`${w.name} is already in the cache: ${target}`);
    return target;
  }
  await ensureDir(path.dirname(target)); // not mkdir({recursive}): it spins on paths like /proc/x

  const staged = o.from ? await importCopy(w, o.from, target, log) : await downloadPart(w, o.url ?? w.url, target, official, o, log);
  const label = o.from ? o.from : `the file from ${o.url ?? w.url}`;
  let sha256: string;
  try {
    sha256 = await verify(w, staged, label, official, log);
  } catch (e) {
    if (o.from) await fsp.rm(staged, { force: true });
    else await removePart(staged);
    throw e instanceof FetchError ? e : new FetchError(`${(e as Error).message}\nnothing was installed`);
  }
  await fsp.rename(staged, target);
  if (!o.from) await removePart(staged); // its .part.json
  await writeAtomically(sha256Path(target), `${sha256}  ${w.file}\n`);
  log(`sha256 ${sha256} (recorded in ${path.basename(sha256Path(target))})`);
  log(`installed ${w.name}: ${target}`);
  return target;
}

async function downloadPart(w: PublishedWeights, url: string, target: string, official: boolean, o: FetchOptions, log: (line: string) => void): Promise<string> {
  const part = partPath(target);
  log(`downloading ${w.name} (${sizeText(w)}) from ${url}`);
  if (w.bytes === undefined) log(`no exact size is published for ${w.file}: the server's length is trusted, then every tensor is checked`);
  try {
    await download(url, part, {
      ...(official && w.bytes !== undefined ? { expectedBytes: w.bytes } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      log,
    });
  } catch (e) {
    if (!(e instanceof DownloadError)) throw e;
    const kept = await fsp.stat(part).then((s) => s.size, () => 0);
    const lines = [`cannot download ${w.name} from ${url}: ${e.message}`];
    if (kept > 0) lines.push(`  the ${formatBytes(kept)} received are kept (${part}); the same command resumes from there`);
    lines.push(`  to download it from elsewhere: npx fcn-viz fetch ${w.name} --url URL`);
    lines.push(`  to import a copy you have:     npx fcn-viz fetch ${w.name} --from FILE`);
    throw new FetchError(lines.join("\n"));
  }
  return part;
}

/** Copies the user's file next to the target (same file system, so the final rename is atomic). */
async function importCopy(w: PublishedWeights, from: string, target: string, log: (line: string) => void): Promise<string> {
  const staged = path.join(path.dirname(target), `.${w.file}.${process.pid}.import`);
  log(`importing ${from} as ${w.name}`);
  try {
    await fsp.copyFile(from, staged);
  } catch (e) {
    await fsp.rm(staged, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new FetchError(code === "ENOENT" ? `--from ${from}: no such file` : code === "EISDIR" ? `--from ${from}: a folder, not a file` : `--from ${from}: ${(e as Error).message}`);
  }
  return staged;
}

/** Size and checksum where published, then every tensor; returns the sha256 seen. */
async function verify(w: PublishedWeights, p: string, label: string, official: boolean, log: (line: string) => void): Promise<string> {
  const size = (await fsp.stat(p)).size;
  if (w.bytes !== undefined && size !== w.bytes) {
    const msg = `${label} has ${size.toLocaleString("en-US")} bytes; the published ${w.file} has ${w.bytes.toLocaleString("en-US")}`;
    if (official) throw new FetchError(`${msg}\nnothing was installed`);
    log(`warning: ${msg}; keeping it if its tensors check out`);
  }
  log(`checking ${formatBytes(size)}: checksum, then every tensor against ${w.model} with ${w.classes} classes`);
  const algorithms = w.checksum && w.checksum.algorithm !== "sha256" ? (["sha256", w.checksum.algorithm] as const) : (["sha256"] as const);
  const digests: Record<string, string> = await hashFile(p, algorithms);
  if (w.checksum) {
    const seen = digests[w.checksum.algorithm]!;
    if (seen !== w.checksum.hex) {
      const msg = `${label}: ${w.checksum.algorithm} ${seen} differs from ${w.checksum.hex}, published by ${w.checksum.source}`;
      if (official && w.checksum.binding) throw new FetchError(`${msg}\nnothing was installed`);
      log(`warning: ${msg}; the tensor check decides`);
    } else {
      log(`${w.checksum.algorithm} matches ${w.checksum.source}`);
    }
  }
  await checkPublishedTensors(w, p, label);
  return digests.sha256!;
}

async function isFile(p: string): Promise<boolean> {
  return fsp.stat(p).then((s) => s.isFile(), () => false);
}

async function writeAtomically(p: string, text: string): Promise<void> {
  const tmp = `${p}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text);
  await fsp.rename(tmp, p);
}
