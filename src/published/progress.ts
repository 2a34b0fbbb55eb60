/**
 * The download's progress for people: on a terminal a bar redrawn in place (bytes,
 * rate, time left); in a log (CI, nohup) one plain line every few seconds.
 */
import { formatDuration } from "../train/progress.js";
import type { DownloadProgress } from "./download.js";
import { formatBytes } from "./registry.js";

export interface ProgressOutput {
  readonly write: (s: string) => void;
  readonly isTTY: boolean;
  /** Milliseconds; a fake clock in tests. */
  readonly now?: () => number;
  /** Plain lines at most this often (ms). Default 5000. */
  readonly everyMs?: number;
}

export interface DownloadReporter {
  update(p: DownloadProgress): void;
  /** Prints the latest figures if not yet shown and ends the bar's line; safe to call repeatedly. */
  done(): void;
}

const BAR = 24;
const TTY_EVERY_MS = 100;

export function downloadReporter(label: string, out: ProgressOutput): DownloadReporter {
  const now = out.now ?? (() => performance.now());
  const every = out.isTTY ? TTY_EVERY_MS : (out.everyMs ?? 5000);
  let t0: number | undefined;
  let last: DownloadProgress | undefined;
  let lastPrint = -Infinity;
  /** Whether `last` is on screen, and whether a bar is drawn without its newline. */
  let printed = false;
  let open = false;

  const line = (p: DownloadProgress): string => {
    const seconds = (now() - t0!) / 1000;
    // The rate of this run: resumed bytes arrived earlier and say nothing about the link.
    const rate = seconds > 0 ? (p.received - p.resumedFrom) / seconds : NaN;
    const parts = [p.total !== undefined ? `${formatBytes(p.received)} of ${formatBytes(p.total)}` : formatBytes(p.received)];
    if (Number.isFinite(rate) && rate > 0) {
      parts.push(`${formatBytes(rate)}/s`);
      if (p.total !== undefined && p.received < p.total) parts.push(`${formatDuration((p.total - p.received) / rate)} left`);
    }
    if (p.resumedFrom > 0) parts.push(`resumed at ${formatBytes(p.resumedFrom)}`);
    if (!out.isTTY) return `${label}: ${percent(p)}${parts.join(", ")}`;
    const filled = p.total ? Math.min(BAR, Math.round((BAR * p.received) / p.total)) : 0;
    const bar = p.total ? `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ` : "";
    return `${label} ${bar}${parts.join("  ")}`;
  };

  return {
    update(p) {
      t0 ??= now();
      last = p;
      printed = false;
      const t = now();
      if (t - lastPrint < every) return; // done() prints the last figures
      lastPrint = t;
      printed = true;
      open = out.isTTY;
      out.write(out.isTTY ? `\r\x1b[K${line(p)}` : `${line(p)}\n`);
    },
    done() {
      if (!last || (printed && !open)) return;
      out.write(out.isTTY ? `\r\x1b[K${line(last)}\n` : `${line(last)}\n`);
      printed = true;
      open = false;
    },
  };
}

function percent(p: DownloadProgress): string {
  return p.total ? `${Math.floor((100 * p.received) / p.total)}% ` : "";
}
