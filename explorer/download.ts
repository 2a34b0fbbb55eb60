/**
 * Fetching a large file into memory with progress: a published net is ~540 MB, and a page
 * that goes quiet for that long looks frozen. The bytes go into one buffer of the size the
 * server announces (Content-Length), so the file is held once, not once in chunks and once
 * joined.
 */

export interface Progress {
  readonly loaded: number;
  /** From Content-Length; null when the server did not say. */
  readonly total: number | null;
  /** Since the request started. */
  readonly ms: number;
}

/** Progress is reported at most this often (and once at the end). */
const REPORT_EVERY_MS = 150;

export async function fetchBytes(url: string, onProgress: (p: Progress) => void = () => {}): Promise<Uint8Array> {
  const t0 = performance.now();
  const r = await fetch(url);
  if (!r.ok) {
    const why = (await r.text().catch(() => "")).trim();
    throw new Error(`${url}: ${r.status} ${r.statusText}${why ? ` (${why})` : ""}`);
  }
  const header = r.headers.get("Content-Length");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  if (!r.body) {
    const bytes = new Uint8Array(await r.arrayBuffer());
    onProgress({ loaded: bytes.length, total, ms: performance.now() - t0 });
    return bytes;
  }
  const reader = r.body.getReader();
  let buffer = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > buffer.length) {
      // More than announced (or nothing announced): grow geometrically.
      const bigger = new Uint8Array(Math.max(buffer.length * 2, loaded + value.length));
      bigger.set(buffer.subarray(0, loaded));
      buffer = bigger;
    }
    buffer.set(value, loaded);
    loaded += value.length;
    const now = performance.now();
    if (now - last >= REPORT_EVERY_MS) {
      last = now;
      onProgress({ loaded, total, ms: now - t0 });
    }
  }
  if (total !== null && loaded !== total) throw new Error(`${url}: the server announced ${total} bytes and sent ${loaded} (connection cut?); reload to try again`);
  onProgress({ loaded, total, ms: performance.now() - t0 });
  return loaded === buffer.length ? buffer : buffer.subarray(0, loaded);
}

/** 537962444 -> "538 MB" (decimal, as the CLI's fetch prints sizes). */
export function mb(bytes: number): string {
  return bytes >= 1e6 ? `${Math.round(bytes / 1e6)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
}

/** "Loading voc-fcn8s (538 MB)… 43% (231 MB, 180 MB/s)". */
export function progressText(what: string, p: Progress): string {
  const rate = p.ms > 0 ? (p.loaded / 1e6) / (p.ms / 1000) : 0;
  const head = `Loading ${what}${p.total !== null ? ` (${mb(p.total)})` : ""}…`;
  const pct = p.total ? ` ${Math.floor((100 * p.loaded) / p.total)}%` : "";
  return `${head}${pct} (${mb(p.loaded)}${rate > 0 ? `, ${rate.toFixed(0)} MB/s` : ""})`;
}
