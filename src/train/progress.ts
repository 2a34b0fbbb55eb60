/**
 * One progress line per stage: a bar, the step, the running loss, speed and time
 * left. On a terminal it redraws in place; in a log file (nohup) it prints a line every
 * `every` seconds, so a long run's log stays readable.
 */
export interface Progress {
  update(step: number, fields: Record<string, string>): void;
  done(summary: string): void;
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function progressLine(
  label: string,
  total: number,
  o: { start?: number; out?: NodeJS.WriteStream; every?: number; width?: number } = {},
): Progress {
  const out = o.out ?? process.stderr;
  const tty = !!out.isTTY;
  const every = (o.every ?? 30) * 1000;
  const barWidth = o.width ?? 24;
  const first = o.start ?? 0;
  const t0 = performance.now();
  let lastPrint = -Infinity;
  return {
    update(step, fields) {
      const now = performance.now();
      if (!tty && now - lastPrint < every && step < total) return;
      lastPrint = now;
      const done = step - first;
      const perStep = done > 0 ? (now - t0) / 1000 / done : NaN;
      const filled = Math.round((barWidth * step) / Math.max(1, total));
      const bar = "#".repeat(filled) + ".".repeat(Math.max(0, barWidth - filled));
      const extra = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join("  ");
      const line = `${label} [${bar}] ${step}/${total}  ${extra}  ${perStep.toFixed(2)} s/step  left ${duration(perStep * (total - step))}`;
      out.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    done(summary) {
      out.write(tty ? `\r\x1b[K${label}: ${summary}\n` : `${label}: ${summary}\n`);
    },
  };
}

export { duration as formatDuration };
