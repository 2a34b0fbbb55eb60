/**
 * The folders are the architecture (issue 11): core/ holds the facts the library and the
 * figures share and imports neither; src/ (model, data, training) never imports viz/;
 * viz/ (figures from plain arrays) never imports src/. core/ stays browser-pure and
 * dependency-light: no tfjs, no Node built-ins, only the packages in CORE_PACKAGES.
 * Every import, export-from, dynamic import() and require() of every .ts file is checked,
 * type-only ones included, with TypeScript's own import scanner.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const LAYERS = ["core", "src", "viz"] as const;
type Layer = (typeof LAYERS)[number];

/** What each layer may not reach (folders of this repository). */
const FORBIDDEN: Record<Layer, readonly string[]> = { core: ["src", "viz"], src: ["viz"], viz: ["src"] };

/** The only packages core/ may import: colour parsing and PNG encoding, both browser-safe. */
const CORE_PACKAGES = ["d3-color", "pngjs"];

/** Exceptions to FORBIDDEN, as "file -> target" pairs: none. Stale entries fail below, so this list only shrinks. */
const ALLOWED = new Set<string>();

interface ImportRef {
  readonly specifier: string;
  readonly line: number;
}

/** Every module a TypeScript file names: import/export ... from, import "x", import(), require(). */
function importsOf(text: string): ImportRef[] {
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split("\n").length;
  return info.importedFiles.map((f) => ({ specifier: f.fileName, line: lineOf(f.pos) }));
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const posix = (p: string) => p.split(sep).join("/");

/** Problems with one file's imports, as "file:line imports "x": why". `file` is relative to the repo. */
function layeringProblems(file: string, text: string): { problem: string; pair?: string }[] {
  const layer = file.split("/")[0] as Layer;
  const out: { problem: string; pair?: string }[] = [];
  for (const { specifier, line } of importsOf(text)) {
    const where = `${file}:${line} imports "${specifier}"`;
    if (specifier.startsWith(".")) {
      const target = posix(relative(ROOT, resolve(ROOT, dirname(file), specifier))).replace(/\.js$/, ".ts");
      const top = target.split("/")[0]!;
      if (FORBIDDEN[layer].includes(top)) out.push({ problem: `${where}: ${layer}/ must not import ${top}/`, pair: `${file} -> ${target}` });
      else if (layer === "core" && top !== "core") out.push({ problem: `${where}: core/ imports only core/ (and ${CORE_PACKAGES.join(", ")})` });
      continue;
    }
    if (layer !== "core") continue;
    const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
    if (specifier.startsWith("node:") || builtinModules.includes(pkg)) out.push({ problem: `${where}: core/ must not import Node built-ins (it runs in browsers)` });
    else if (pkg.startsWith("@tensorflow/")) out.push({ problem: `${where}: core/ must not import tfjs (model code belongs in src/)` });
    else if (!CORE_PACKAGES.includes(pkg)) out.push({ problem: `${where}: core/ may import only ${CORE_PACKAGES.join(", ")} among packages` });
  }
  return out;
}

describe("layering: core <- src, core <- viz, never src <-> viz", () => {
  const files = LAYERS.flatMap((l) => tsFiles(join(ROOT, l))).map((f) => posix(relative(ROOT, f)));
  const found = files.flatMap((f) => layeringProblems(f, readFileSync(join(ROOT, f), "utf8")));

  it("finds the files and their imports", () => {
    for (const l of LAYERS) expect(files.some((f) => f.startsWith(`${l}/`)), `${l}/ has .ts files`).toBe(true);
    expect(files.reduce((n, f) => n + importsOf(readFileSync(join(ROOT, f), "utf8")).length, 0)).toBeGreaterThan(100);
  });

  it("no import crosses the layers (besides the TODO shims in ALLOWED)", () => {
    const problems = found.filter((p) => !(p.pair && ALLOWED.has(p.pair))).map((p) => p.problem);
    expect(problems, `layering broken:\n  ${problems.join("\n  ")}\n`).toEqual([]);
  });

  it("every ALLOWED shim import still exists (else delete its entry, and the shim once unused)", () => {
    const used = new Set(found.flatMap((p) => (p.pair ? [p.pair] : [])));
    const stale = [...ALLOWED].filter((a) => !used.has(a));
    expect(stale, `stale entries in ALLOWED: ${stale.join("; ")}`).toEqual([]);
  });

  it("catches every kind of import, with the file, line and specifier in the message", () => {
    const text = [
      'import { a } from "../../viz/palette.js";',
      "import type {",
      "  B,",
      '} from "../../viz/metrics.js";',
      'export * from "../../viz/index.js";',
      'const c = await import("../../viz/figure.js");',
      'import "../../core/labels.js";',
    ].join("\n");
    expect(layeringProblems("src/x/y.ts", text).map((p) => p.problem)).toEqual([
      'src/x/y.ts:1 imports "../../viz/palette.js": src/ must not import viz/',
      'src/x/y.ts:4 imports "../../viz/metrics.js": src/ must not import viz/',
      'src/x/y.ts:5 imports "../../viz/index.js": src/ must not import viz/',
      'src/x/y.ts:6 imports "../../viz/figure.js": src/ must not import viz/',
    ]);
    const core = layeringProblems("core/z.ts", ['import * as tf from "@tensorflow/tfjs";', 'import { readFileSync } from "node:fs";', 'import path from "path";', 'import { select } from "d3";', 'import { rgb } from "d3-color";', 'import { m } from "../src/model.js";'].join("\n"));
    expect(core.map((p) => p.problem)).toEqual([
      'core/z.ts:1 imports "@tensorflow/tfjs": core/ must not import tfjs (model code belongs in src/)',
      'core/z.ts:2 imports "node:fs": core/ must not import Node built-ins (it runs in browsers)',
      'core/z.ts:3 imports "path": core/ must not import Node built-ins (it runs in browsers)',
      'core/z.ts:4 imports "d3": core/ may import only d3-color, pngjs among packages',
      'core/z.ts:6 imports "../src/model.js": core/ must not import src/',
    ]);
  });
});
