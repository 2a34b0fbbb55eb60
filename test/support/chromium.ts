/**
 * Debian's chromium for the browser tests (never a downloaded browser), with the flags
 * that keep it quiet on a machine without internet (../shared/TOOLCHAIN.md): without the
 * background-networking ones it keeps opening connections the sandbox refuses.
 */
import * as fs from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];
/** Why the browser tests cannot run here, or null when chromium is installed. */
export const chromiumMissing = fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (Debian: apt-get install chromium; scripts/install-system-deps.sh does it)`;
