/**
 * One HTTP(S) download into a `.part` file, with Node's own http/https: redirects
 * followed (a bounded number), an idle timeout, and resume with a Range request when a
 * previous run was cut off. The file is only ever appended to or restarted, never
 * patched in the middle, so what is on disk is always a prefix of what the server sent.
 */
import { createWriteStream, promises as fsp } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface DownloadProgress {
  /** Bytes in the .part file so far, resumed ones included. */
  readonly received: number;
  /** The whole file's size when the server says it (Content-Length / Content-Range). */
  readonly total: number | undefined;
  /** Bytes that were already on disk from an earlier run. */
  readonly resumedFrom: number;
}

export interface DownloadOptions {
  /** When set, a server offering another size is refused before any byte is written. */
  readonly expectedBytes?: number;
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly log?: (line: string) => void;
  /** No byte for this long (connecting or mid-body) ends the download. Default 30 s. */
  readonly timeoutMs?: number;
  /** Default 5. */
  readonly maxRedirects?: number;
}

export interface DownloadResult {
  readonly bytes: number;
  readonly resumedFrom: number;
  /** The URL that finally answered (after redirects). */
  readonly finalUrl: string;
}

/** A download that failed for a reason a person can act on; `message` is that reason. */
export class DownloadError extends Error {
  override readonly name = "DownloadError";
}

/** What a resumable .part file was started from, kept beside it as .part.json. */
interface PartState {
  readonly url: string;
  /** ETag or Last-Modified of the first response: If-Range then refuses to splice two versions. */
  readonly validator?: string;
  readonly total?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function download(url: string, part: string, o: DownloadOptions = {}): Promise<DownloadResult> {
  const statePath = `${part}.json`;
  const state = await readState(statePath);
  let have = state?.url === url ? await sizeOf(part) : 0;
  // Two attempts at most: the second starts over when the first cannot resume.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (have === 0) await fsp.rm(part, { force: true });
    const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-`, ...(state?.validator ? { "If-Range": state.validator } : {}) } : {};
    const { res, finalUrl } = await open(url, headers, o);
    let start = 0;
    let total = contentLength(res);
    if (res.statusCode === 416) {
      res.resume();
      // Range past the end: the earlier run got every byte but stopped before installing.
      if (have > 0 && state?.total === have) return { bytes: have, resumedFrom: have, finalUrl };
      have = 0;
      continue;
    }
    if (res.statusCode === 206) {
      const range = parseContentRange(res.headers["content-range"]);
      if (!range || range.start !== have) {
        res.destroy();
        o.log?.("the server answered the resume request with another range: starting over");
        have = 0;
        continue;
      }
      start = have;
      total = range.total;
    } else if (have > 0) {
      o.log?.(`the server sent the whole file again instead of the rest (no Range support, or the file changed): starting over`);
    }
    if (o.expectedBytes !== undefined && total !== undefined && total !== o.expectedBytes) {
      res.destroy();
      throw new DownloadError(`the server offers ${total.toLocaleString("en-US")} bytes, but the file is ${o.expectedBytes.toLocaleString("en-US")} bytes`);
    }
    const validator = header(res, "etag") ?? header(res, "last-modified");
    await writeState(statePath, { url, ...(validator ? { validator } : {}), ...(total !== undefined ? { total } : {}) });
    const received = await receive(res, part, start, total, new URL(finalUrl), o);
    if (total !== undefined && received !== total) {
      throw new DownloadError(`the connection closed after ${received.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} bytes`);
    }
    return { bytes: received, resumedFrom: start, finalUrl };
  }
  throw new DownloadError("the server refused to resume and then to start over");
}

/** Streams the body into the .part file (appending after `start` bytes); resolves to the file's size. */
async function receive(res: http.IncomingMessage, part: string, start: number, total: number | undefined, from: URL, o: DownloadOptions): Promise<number> {
  let received = start;
  o.onProgress?.({ received, total, resumedFrom: start });
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      o.onProgress?.({ received, total, resumedFrom: start });
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, count, createWriteStream(part, { flags: start > 0 ? "a" : "w" }));
  } catch (e) {
    throw e instanceof DownloadError ? e : new DownloadError(`${networkReason(e, from)} after ${received.toLocaleString("en-US")} bytes`);
  }
  return received;
}

/** GET with redirects followed; resolves on a 2xx or 416 answer, rejects with the reason otherwise. */
function open(url: string, headers: Record<string, string>, o: DownloadOptions, redirectsLeft = o.maxRedirects ?? 5): Promise<{ res: http.IncomingMessage; finalUrl: string }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new DownloadError(`"${url}" is not a URL`));
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return Promise.reject(new DownloadError(`only http and https URLs can be downloaded, not ${u.protocol}`));
  const get = u.protocol === "https:" ? https.get : http.get;
  const timeoutMs = o.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    const req = get(u, { headers: { "User-Agent": "fcn-viz", ...headers } }, (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.resume();
        if (redirectsLeft <= 0) return reject(new DownloadError(`too many redirects (last: ${new URL(location, u).href})`));
        return open(new URL(location, u).href, headers, o, redirectsLeft - 1).then(resolve, reject);
      }
      if ((status >= 200 && status < 300) || status === 416) return resolve({ res, finalUrl: u.href });
      res.resume();
      reject(new DownloadError(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}`));
    });
    // An idle socket, while connecting or mid-body, ends the request with a reason.
    req.setTimeout(timeoutMs, () => {
      const e = new DownloadError(`no answer for ${timeoutMs / 1000} s`);
      response?.destroy(e);
      req.destroy(e);
    });
    req.on("error", (e) => reject(e instanceof DownloadError ? e : new DownloadError(networkReason(e, u))));
  });
}

/** A network error in words (Node's codes mean nothing to most people). */
function networkReason(e: unknown, u: URL): string {
  if (e instanceof DownloadError) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${u.hostname}${u.port ? `:${u.port}` : ""}`;
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot look up ${u.hostname} (offline, or no such host)`;
    case "ECONNREFUSED":
      return `${where} refused the connection`;
    case "ECONNRESET":
    case "EPIPE":
    case "ERR_STREAM_PREMATURE_CLOSE":
      return "the connection was cut";
    case "ETIMEDOUT":
      return `${where} did not answer`;
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      return `no route to ${where} (offline?)`;
    default:
      return (e as Error).message === "aborted" ? "the connection was cut" : `${(e as Error).message}${code ? ` (${code})` : ""}`;
  }
}

function contentLength(res: http.IncomingMessage): number | undefined {
  const n = Number(res.headers["content-length"]);
  return res.headers["content-length"] !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** "bytes 100-199/1000" -> { start: 100, total: 1000 } (total undefined for "*"). */
export function parseContentRange(v: string | undefined): { start: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v?.trim() ?? "");
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return typeof v === "string" && v ? v : undefined;
}

async function sizeOf(p: string): Promise<number> {
  return fsp.stat(p).then((s) => s.size, () => 0);
}

async function readState(p: string): Promise<PartState | undefined> {
  try {
    const s = JSON.parse(await fsp.readFile(p, "utf8")) as PartState;
    return typeof s.url === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(p: string, s: PartState): Promise<void> {
  await fsp.writeFile(p, JSON.stringify(s) + "\n");
}

/** Removes a .part file and its state (after installing it, or when it cannot be used). */
export async function removePart(part: string): Promise<void> {
  await fsp.rm(part, { force: true });
  await fsp.rm(`${part}.json`, { force: true });
}
