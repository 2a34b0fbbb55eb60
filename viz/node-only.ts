/**
 * What only Node has, loaded when first used: writing files (Figure.save), rasterizing
 * to PNG (resvg, a native addon) and the fonts it needs, inlining plotly.js, jsdom for
 * server-side d3, tslab's display. Nothing in viz imports a Node module statically, so
 * every figure draws in a browser too (as SVG, with the page's own DOM: svg.ts); calling
 * one of these there says so instead of failing on an undefined function.
 *
 * Node's built-ins come from process.getBuiltinModule (Node >= 20.16), which bundlers do
 * not follow; packages from a require made for this module.
 */
interface Builtins {
  "node:fs": typeof import("node:fs");
  "node:path": typeof import("node:path");
  "node:module": typeof import("node:module");
}

type GetBuiltin = (id: string) => unknown;

function getBuiltin(): GetBuiltin | undefined {
  return (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule;
}

/** True in Node (and in tslab's kernel, vitest...), false in a browser. */
export function inNode(): boolean {
  return getBuiltin() !== undefined;
}

/** A Node built-in; `what` names the caller in the browser's error. */
export function nodeBuiltin<K extends keyof Builtins>(id: K, what: string): Builtins[K] {
  const get = getBuiltin();
  if (!get) throw new Error(`${what} needs Node (${id}), which a browser does not have; in a browser, figures are SVG`);
  return get(id) as Builtins[K];
}

/** Node's require, resolving from this module (packages such as jsdom, @resvg/resvg-js, plotly.js-dist). */
export function nodeRequire(what: string): NodeJS.Require {
  return nodeBuiltin("node:module", what).createRequire(import.meta.url);
}
