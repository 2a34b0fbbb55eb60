/**
 * Fonts for the PNG renderer. resvg draws text only with fonts it was given, so we look
 * for a known sans-serif on disk (DejaVu Sans on Linux, Verdana/Arial on macOS and
 * Windows), load just those files (fast), and fall back to scanning the system fonts.
 * FCN_VIZ_FONTS (font files or folders, separated like PATH) takes precedence.
 */
import { nodeBuiltin } from "./node-only.js";

export interface FontSetup {
  /** Font files given to the renderer (empty: system fonts are scanned instead). */
  readonly files: readonly string[];
  readonly dirs: readonly string[];
  /** Family used for the generic sans-serif and as the default. */
  readonly family: string | undefined;
  /** True when no known font was found and all system fonts are scanned (slower). */
  readonly systemScan: boolean;
}

/** Regular + bold files per family, in order of preference. */
const CANDIDATES: ReadonlyArray<{ family: string; files: readonly string[] }> = [
  {
    family: "DejaVu Sans",
    files: [
      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
      "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
      "/usr/share/fonts/TTF/DejaVuSans.ttf",
      "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
      "/usr/share/fonts/dejavu/DejaVuSans.ttf",
      "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
      "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
      "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
      "/opt/homebrew/share/fonts/DejaVuSans.ttf",
    ],
  },
  {
    family: "Verdana",
    files: [
      "/System/Library/Fonts/Supplemental/Verdana.ttf",
      "/System/Library/Fonts/Supplemental/Verdana Bold.ttf",
      "/Library/Fonts/Verdana.ttf",
      "/Library/Fonts/Verdana Bold.ttf",
      "C:\\Windows\\Fonts\\verdana.ttf",
      "C:\\Windows\\Fonts\\verdanab.ttf",
    ],
  },
  {
    family: "Liberation Sans",
    files: [
      "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
      "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
      "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
      "/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf",
    ],
  },
  {
    family: "Arial",
    files: [
      "/System/Library/Fonts/Supplemental/Arial.ttf",
      "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
      "/Library/Fonts/Arial.ttf",
      "C:\\Windows\\Fonts\\arial.ttf",
      "C:\\Windows\\Fonts\\arialbd.ttf",
    ],
  },
];

let cached: FontSetup | undefined;

/** The fonts the PNG renderer uses here (found once per process). */
export function fontSetup(): FontSetup {
  if (cached) return cached;
  const { existsSync, statSync } = nodeBuiltin("node:fs", "finding fonts for PNGs");
  const { delimiter } = nodeBuiltin("node:path", "finding fonts for PNGs");
  const env = process.env["FCN_VIZ_FONTS"];
  if (env) {
    const paths = env.split(delimiter).filter((p) => p && existsSync(p));
    const dirs = paths.filter((p) => statSync(p).isDirectory());
    const files = paths.filter((p) => !dirs.includes(p));
    if (paths.length) return (cached = { files, dirs, family: undefined, systemScan: false });
  }
  for (const c of CANDIDATES) {
    const files = c.files.filter((f) => existsSync(f));
    if (files.length) return (cached = { files, dirs: [], family: c.family, systemScan: false });
  }
  return (cached = { files: [], dirs: [], family: undefined, systemScan: true });
}

/** Options for resvg's `font` field. */
export function resvgFontOptions(): {
  loadSystemFonts: boolean;
  fontFiles: string[];
  fontDirs: string[];
  defaultFontFamily?: string;
  sansSerifFamily?: string;
} {
  const f = fontSetup();
  return {
    loadSystemFonts: f.systemScan,
    fontFiles: [...f.files],
    fontDirs: [...f.dirs],
    ...(f.family ? { defaultFontFamily: f.family, sansSerifFamily: f.family } : {}),
  };
}

/** For messages: where the fonts come from. */
export function describeFonts(): string {
  const f = fontSetup();
  if (f.systemScan) return "system fonts (no known sans-serif found; set FCN_VIZ_FONTS to a .ttf to choose one)";
  const { join } = nodeBuiltin("node:path", "describeFonts()");
  return `${f.family ?? "FCN_VIZ_FONTS"}: ${[...f.files, ...f.dirs].map((p) => join(p)).join(", ")}`;
}
