/**
 * Where fetched weights live: one folder per user, shared by the CLI, the library, the
 * notebooks and the explorer, so a 540 MB file is downloaded once.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PUBLISHED_WEIGHTS, publishedWeights, type PublishedWeights, type Registry } from "./registry.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * $FCN_VIZ_CACHE, else $XDG_CACHE_HOME/fcn-viz, else the platform's user cache folder:
 * ~/.cache/fcn-viz (Linux and other Unixes), ~/Library/Caches/fcn-viz (macOS),
 * %LOCALAPPDATA%\fcn-viz\Cache (Windows). The XDG spec says to ignore a relative
 * $XDG_CACHE_HOME, and so does this.
 */
export function weightsCacheDir(env: Env = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const own = env.FCN_VIZ_CACHE?.trim();
  if (own) return path.resolve(own);
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "fcn-viz");
  if (platform === "darwin") return path.join(home, "Library", "Caches", "fcn-viz");
  if (platform === "win32") {
    const local = env.LOCALAPPDATA?.trim() || path.win32.join(home, "AppData", "Local");
    return path.win32.join(local, "fcn-viz", "Cache");
  }
  return path.join(home, ".cache", "fcn-viz");
}

/** Where a published file goes in the cache (whether or not it is there). */
export function cacheTarget(w: PublishedWeights): string {
  return path.join(weightsCacheDir(), w.file);
}

/** The cached file of a published name, or undefined when it has not been fetched. */
export function cachedWeightsPath(name: string, registry: Registry = PUBLISHED_WEIGHTS): string | undefined {
  const p = cacheTarget(publishedWeights(name, registry));
  return isFile(p) ? p : undefined;
}

/** The sha256 recorded beside a cached file when it was fetched (`sha256sum -c` reads the same file). */
export function sha256Path(target: string): string {
  return `${target}.sha256`;
}

export function recordedSha256(target: string): string | undefined {
  try {
    return /^[0-9a-f]{64}/.exec(readFileSync(sha256Path(target), "utf8"))?.[0];
  } catch {
    return undefined;
  }
}

/** A download in progress keeps its bytes here, so an interrupted run resumes. */
export function partPath(target: string): string {
  return `${target}.part`;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}
