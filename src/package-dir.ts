/** Where the fcn-viz package is on disk, for the Node-only modules that read its shipped files. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The fcn-viz package directory, or its subdirectory `sub` (e.g. "models"): the nearest
 * folder above this module (in src/ or dist/src/) whose package.json is named "fcn-viz".
 */
export function packageDir(sub?: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "fcn-viz") return sub === undefined ? dir : join(dir, sub);
    dir = dirname(dir);
  }
  const what = sub === undefined ? "" : ` (and its ${sub}/)`;
  throw new Error(`cannot find the fcn-viz package directory${what} from ${fileURLToPath(import.meta.url)}`);
}
