/**
 * The package's entry points ("fcn-viz", "fcn-viz/node", "fcn-viz/viz", ...) resolved to
 * their sources (src/index.ts, src/node.ts, viz/index.ts, ...) instead of the build in
 * dist/, read from package.json "exports". The explorer's Vite build and vitest use them,
 * so the page and the tests import the package by name, as a user would, and see the
 * sources as they are (no `npm run build` first). TypeScript's copy: "paths" in tsconfig.json.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Vite `resolve.alias` entries: one exact-match pattern per export. */
export function sourceAliases(root) {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  return Object.entries(pkg.exports).map(([sub, target]) => {
    const name = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
    const source = target.default.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts");
    return { find: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`), replacement: path.join(root, source) };
  });
}
