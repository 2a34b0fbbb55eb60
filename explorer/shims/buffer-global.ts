/**
 * A `Buffer` global for the browser. The library's PNG/JPEG code (src/io/image.ts) and
 * viz's rasters (viz/raster.ts) hand bytes to pngjs as Node Buffers; pngjs's own browser
 * build (package.json "browser" maps pngjs to it) brings zlib, and this brings Buffer.
 * Imported first by main.ts, before anything that might need it.
 */
import { Buffer } from "buffer";

const g = globalThis as { Buffer?: unknown };
g.Buffer ??= Buffer;
