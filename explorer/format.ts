/**
 * How the explorer writes things, shared by the controller (its messages) and the views
 * (the panels): model names for people, times, numbers, the preprocessing in one line.
 */
import type { Preprocess } from "fcn-viz";

const DISPLAY: Record<string, string> = { fcn32s: "FCN-32s", fcn16s: "FCN-16s", fcn8s: "FCN-8s" };

/** "fcn8s" -> "FCN-8s" (other names as they are). */
export const displayName = (model: string): string => DISPLAY[model] ?? model;

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A logit or score: two decimals, none from 1000 up. */
export const fmt = (v: number, d = 2): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(d));

/** "850 ms", "1.25 s". */
export const ms = (t: number): string => (t >= 1000 ? `${(t / 1000).toFixed(2)} s` : `${t.toFixed(0)} ms`);

/** The colour of a stream (pool5, pool4, pool3), a CSS variable of style.css. */
export const streamColor = (pool: string): string => `var(--${pool})`;

/** "RGB × 1/255", "BGR − mean (104.0, 116.7, 122.7)": what the net is fed. */
export function preprocessText(p: Preprocess): string {
  const parts: string[] = [p.channelOrder];
  if (p.scale !== 1) parts.push(Math.abs(p.scale * 255 - 1) < 1e-9 ? "× 1/255" : `× ${p.scale}`);
  if (p.mean.some((m) => m !== 0)) parts.push(`− mean (${p.mean.map((m) => m.toFixed(1)).join(", ")})`);
  if (p.std.some((v) => v !== 1)) parts.push(`÷ std (${p.std.map((v) => v.toFixed(3)).join(", ")})`);
  return parts.join(" ");
}
