/**
 * Command-line values checked as numbers of their kind before anything is built: a
 * class count is a whole number (`--classes 0.4` once built a 0-class model that "ran"),
 * a width is a positive fraction, a side is a whole number of pixels. Each error says
 * which option, what it must be, and what was given.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** An error meant for the user: printed as one line, no stack. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A whole number >= min: "21", not "0.4", "21abc", "2e1", "" or "-3". */
export function parseWholeNumber(option: string, text: string, min = 1): number {
  const t = text.trim();
  const v = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new UsageError(`--${option} must be a whole number of at least ${min}, got "${text}"`);
  }
  return v;
}

/**
 * VGG16's width multiplier: a fraction in (0, 1], written as a decimal ("0.125") or a
 * ratio of whole numbers ("1/8").
 */
export function parseWidth(text: string, option = "width"): number {
  const t = text.trim();
  const ratio = /^(\d+)\/(\d+)$/.exec(t);
  const v = ratio ? Number(ratio[1]) / Number(ratio[2]) : /^(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (!(v > 0 && v <= 1)) {
    throw new UsageError(`--${option} must be a fraction of VGG16's channels above 0 and at most 1 (e.g. 1, 0.5 or 1/8), got "${text}"`);
  }
  return v;
}

/** "500x375" (height x width) or "500" (square), whole numbers of at least 1. */
export function parseSize(text: string, option = "size"): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text.trim());
  const h = m ? Number(m[1]) : NaN;
  const w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(h >= 1 && w >= 1 && Number.isSafeInteger(h) && Number.isSafeInteger(w))) {
    throw new UsageError(`--${option} must look like 500x375 (height x width) or 500, whole numbers of at least 1, got "${text}"`);
  }
  return [h, w];
}

/**
 * node:util parseArgs with `--help`/`-h` added, and its errors (unknown option, missing
 * value) as UsageErrors that point at the command's help.
 */
export function parseCommand<T extends NonNullable<ParseArgsConfig["options"]>>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { ...options, help: { type: "boolean", short: "h", default: false } } as T & { help: { type: "boolean"; short: "h"; default: false } } });
  } catch (e) {
    if (String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(`${(e as Error).message.split(". ")[0]} (see fcn-viz ${command} --help)`);
    }
    throw e;
  }
}
