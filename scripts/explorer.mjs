#!/usr/bin/env node
/**
 * The FCN explorer page: build it with Vite and serve it on 127.0.0.1.
 *
 *   npm run explorer                     # build explorer/dist, serve it, print the URL
 *   npm run explorer -- --port 8090      # another port (default 5180; the next free one if taken)
 *   npm run explorer -- --build-only     # just build
 *   npm run explorer -- --no-build       # serve the last build
 *   npm run explorer -- --dev            # Vite's dev server (reloads on edits)
 *   npm run explorer -- --models DIR     # trained models from DIR instead of models/
 *
 * At build time it writes a small manifest (the trained models under models/ with their
 * safetensors metadata, the sample inputs: models/samples/* and sample-images/*) and
 * copies those files and tfjs's WASM binaries next to the page, so the build is
 * self-contained: no CDN, nothing fetched from outside 127.0.0.1. The PNGs directly in
 * models/ (heatmap.png, examples.png) are the model card's figures, not inputs: not listed.
 *
 * The authors' published nets that `npx fcn-viz fetch NAME` put in the weights cache
 * ($FCN_VIZ_CACHE, else ~/.cache/fcn-viz) are listed too, but never copied into the build
 * (~540 MB each): the server hands out the cached file itself at published/NAME, and
 * answers manifest.json with the cache as it is now, so a net fetched while the explorer
 * runs appears on the next reload. The page reads the .caffemodel as it is (why not a
 * converted copy: see publishedListing).
 *
 * Used as a module by the test and the benchmark: buildExplorer(), serveStatic().
 */
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { promises as fsp, createReadStream, existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { sourceAliases } from "./source-aliases.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const EXPLORER = path.join(ROOT, "explorer");
export const DEFAULT_OUT = path.join(EXPLORER, "dist");
const GENERATED = path.join(EXPLORER, ".generated");
const require = createRequire(import.meta.url);

/** Cross-origin isolation: lets tfjs's WASM backend use threads (SharedArrayBuffer). */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** First 8 + N bytes of a safetensors file: its __metadata__, or null if it is not one. */
async function safetensorsMetadata(file) {
  const fh = await fsp.open(file, "r");
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    const n = Number(head.readBigUInt64LE(0));
    const { size } = await fh.stat();
    if (n < 2 || 8 + n > size || n > 100_000_000) return null;
    const json = Buffer.alloc(n);
    await fh.read(json, 0, n, 8);
    const header = JSON.parse(json.toString("utf8"));
    return header.__metadata__ ?? {};
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * The published-weights registry and cache (src/published/, through the built library's
 * Node entry in dist/: this script runs on plain Node).
 */
async function publishedLibrary() {
  const lib = await import("../dist/src/node.js").catch((e) => {
    throw new Error(`the explorer lists the published nets through the built library (dist/), which did not load: ${e.message}. Run npm run build.`);
  });
  if (!lib.PUBLISHED_WEIGHTS || !lib.cachedWeightsPath || !lib.weightsCacheDir) {
    throw new Error("dist/ predates the published weights (fcn-viz fetch): run npm run build");
  }
  return lib;
}

/**
 * The published nets in the weights cache, as the manifest lists them: the registry's facts
 * (name, description, model, classes, licence, class names) and the cached file's size; the
 * page fetches `url`, which the server maps to the cached file. Every published name is
 * listed when cached, VGG16 too (the page offers the FCNs); `cacheDir` is where they were
 * looked for, for the page's "how to get one" line.
 *
 * Why the raw .caffemodel and not a safetensors copy converted once (F16: 270 MB): measured
 * in headless chromium here with a full-width FCN-8s (538 MB, twice each), download over
 * 127.0.0.1 + reading into tfjs layouts took 1.4-1.6 s + 0.7-0.8 s for the .caffemodel,
 * 0.8-1.1 s + 1.4-1.6 s for F16 (half the bytes, but every value converted back to float32)
 * and 1.6-1.9 s + 1.0 s for F32 safetensors. tfjs uploads float32 to the GPU whatever the
 * file held, so F16 would not halve the upload either. A copy would only add a conversion
 * (6.8 s for F16 in Node) before the first use, a second file in the user's cache to keep
 * in step, and F16's rounding (the page would no longer compute what Node computes from the
 * authors' file). So the page reads the authors' file itself.
 */
export async function publishedListing() {
  const { PUBLISHED_WEIGHTS, cachedWeightsPath, weightsCacheDir } = await publishedLibrary();
  const cached = [];
  for (const w of PUBLISHED_WEIGHTS) {
    const file = cachedWeightsPath(w.name);
    if (!file) continue;
    cached.push({
      name: w.name,
      description: w.description,
      model: w.model,
      classes: w.classes,
      ...(w.atOnce ? { atOnce: true } : {}),
      licence: w.licence,
      file: w.file,
      bytes: (await fsp.stat(file)).size,
      url: `published/${w.name}`,
      classNames: w.classNames,
    });
  }
  return { cacheDir: weightsCacheDir(), cached };
}

/** The cached file behind published/NAME, or null when NAME is not a cached published net. */
async function publishedFile(name) {
  const { isPublishedName, cachedWeightsPath } = await publishedLibrary();
  return isPublishedName(name) ? (cachedWeightsPath(name) ?? null) : null;
}

/**
 * What the server adds to the static build: manifest.json with the cache's current
 * listing, and published/NAME from the cache. Returns false for any other path.
 */
async function servePublished(pathname, root, req, res) {
  if (pathname === "/manifest.json") {
    const built = await fsp.readFile(path.join(root, "manifest.json"), "utf8").catch(() => null);
    if (built === null) return false;
    const body = JSON.stringify({ ...JSON.parse(built), published: await publishedListing() }, null, 1);
    res.writeHead(200, { "Content-Type": MIME[".json"], "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-cache", ...ISOLATION_HEADERS, "Cross-Origin-Resource-Policy": "same-origin" });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  }
  const m = /^\/published\/([^/]+)$/.exec(pathname);
  if (!m) return false;
  const name = m[1];
  const file = await publishedFile(name);
  if (!file) {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end(`${name} is not in the weights cache: npx fcn-viz fetch ${name}`);
    return true;
  }
  const { size } = await fsp.stat(file);
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": size, "Cache-Control": "no-cache", ...ISOLATION_HEADERS, "Cross-Origin-Resource-Policy": "same-origin" });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}

async function copy(from, to) {
  await fsp.mkdir(path.dirname(to), { recursive: true });
  await fsp.copyFile(from, to);
}

/**
 * Writes explorer/.generated/public: manifest.json, models/, samples/, tfjs-wasm/.
 * Vite copies it into the build (and serves it in --dev).
 */
export async function generatePublic({ root = ROOT, modelsDir = path.join(root, "models"), publicDir = path.join(GENERATED, "public") } = {}) {
  await fsp.rm(publicDir, { recursive: true, force: true });
  await fsp.mkdir(publicDir, { recursive: true });

  // tfjs's WASM binaries, for the WASM fallback (tfjs looks for them at wasmPath).
  const wasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  for (const f of await fsp.readdir(wasmDir)) {
    if (f.endsWith(".wasm")) await copy(path.join(wasmDir, f), path.join(publicDir, "tfjs-wasm", f));
  }

  // Trained models: models/*.safetensors (issue 5 puts them there, with models/README.md).
  const models = [];
  const samples = [];
  if (existsSync(modelsDir)) {
    for (const f of (await fsp.readdir(modelsDir)).sort()) {
      const p = path.join(modelsDir, f);
      if (f.endsWith(".safetensors")) {
        const metadata = await safetensorsMetadata(p);
        if (!metadata) {
          console.warn(`explorer: ${path.relative(root, p)} is not a readable safetensors file; skipped`);
          continue;
        }
        await copy(p, path.join(publicDir, "models", f));
        models.push({ url: `models/${f}`, name: f.replace(/\.safetensors$/, ""), bytes: (await fsp.stat(p)).size, metadata });
      }
    }
    // Sample inputs that come with the models: models/samples/* (the digit test scenes).
    // The images directly in models/ are the model card's figures, not inputs.
    const dir = path.join(modelsDir, "samples");
    if (existsSync(dir)) {
      for (const f of (await fsp.readdir(dir)).sort()) {
        if (!IMAGE_EXT.test(f)) continue;
        await copy(path.join(dir, f), path.join(publicDir, "samples", "models", f));
        samples.push({ url: `samples/models/${f}`, name: f.replace(IMAGE_EXT, ""), from: "models" });
      }
    }
  }
  let modelCard = null;
  if (existsSync(path.join(modelsDir, "README.md"))) {
    await copy(path.join(modelsDir, "README.md"), path.join(publicDir, "models", "README.md"));
    modelCard = "models/README.md";
  }
  const sampleDir = path.join(root, "sample-images");
  for (const f of (await fsp.readdir(sampleDir)).sort()) {
    if (!IMAGE_EXT.test(f)) continue;
    await copy(path.join(sampleDir, f), path.join(publicDir, "samples", f));
    samples.push({ url: `samples/${f}`, name: f.replace(IMAGE_EXT, ""), from: "sample-images" });
  }
  const manifest = { generated: new Date().toISOString(), models, modelCard, samples, wasmPath: "tfjs-wasm/", published: await publishedListing() };
  await fsp.writeFile(path.join(publicDir, "manifest.json"), JSON.stringify(manifest, null, 1));
  return { publicDir, manifest };
}

/** The Vite configuration (no config file: this is the only one). */
export function viteConfig({ outDir = DEFAULT_OUT, publicDir = path.join(GENERATED, "public") } = {}) {
  return {
    configFile: false,
    root: EXPLORER,
    base: "./",
    publicDir,
    logLevel: "warn",
    clearScreen: false,
    // The page imports "fcn-viz" and "fcn-viz/viz" like any user, from their sources. Both
    // entries are browser-safe (test/layering.test.ts): nothing to stand in for Node.
    resolve: { alias: sourceAliases(ROOT) },
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 8000,
    },
    server: { host: "127.0.0.1", headers: ISOLATION_HEADERS, fs: { allow: [ROOT] } },
    preview: { host: "127.0.0.1", headers: ISOLATION_HEADERS },
    plugins: [
      {
        // The dev server (--dev) serves the published nets from the cache like serveStatic.
        name: "fcn-viz-published",
        configureServer(server) {
          server.middlewares.use((req, res, next) => {
            const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
            servePublished(pathname, publicDir, req, res).then((done) => done || next(), next);
          });
        },
      },
    ],
  };
}

/** Builds the page into outDir. Returns how long it took. */
export async function buildExplorer({ outDir = DEFAULT_OUT, root = ROOT, modelsDir = path.join(root, "models"), quiet = false } = {}) {
  const t0 = performance.now();
  // A private staging folder: a test may build while someone serves the default build.
  const publicDir = await fsp.mkdtemp(path.join(os.tmpdir(), "fcn-viz-explorer-public-"));
  const { manifest } = await generatePublic({ root, modelsDir, publicDir });
  const { build } = await import("vite");
  await build(viteConfig({ outDir, publicDir }));
  await fsp.rm(publicDir, { recursive: true, force: true });
  const ms = performance.now() - t0;
  if (!quiet) {
    console.log(
      `explorer: built ${path.relative(process.cwd(), outDir) || "."} in ${(ms / 1000).toFixed(1)} s ` +
        `(${manifest.models.length} trained model${manifest.models.length === 1 ? "" : "s"}, ${manifest.samples.length} sample images)`,
    );
    if (!manifest.models.length) console.log(`explorer: no trained models in ${path.relative(process.cwd(), modelsDir) || "."}: the page runs random weights and says so`);
    console.log(publishedSummary(manifest.published));
  }
  return { outDir, ms, manifest };
}

/** One line on the published nets found (or how to get one). */
function publishedSummary(p) {
  if (p.cached.length) return `explorer: the authors' published nets in ${p.cacheDir} (served from there): ${p.cached.map((c) => c.name).join(", ")}`;
  return `explorer: no published nets in ${p.cacheDir}: npx fcn-viz fetch voc-fcn8s gets the authors' FCN-8s (then reload the page)`;
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".md": "text/markdown; charset=utf-8",
  ".safetensors": "application/octet-stream",
};

/**
 * A static file server for a built page on 127.0.0.1 (only), with the isolation headers.
 * port 0 picks a free port; a taken port moves to the next one unless `strictPort`.
 * With `published` (the default) it also serves the weights cache's published nets and
 * refreshes the manifest's list of them (servePublished).
 */
export async function serveStatic(dir, { host = "127.0.0.1", port = 0, strictPort = false, published = true } = {}) {
  const root = path.resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://x");
      const pathname = decodeURIComponent(url.pathname);
      if (published && (await servePublished(pathname, root, req, res))) return;
      let p = path.normalize(path.join(root, pathname));
      if (p !== root && !p.startsWith(root + path.sep)) {
        res.writeHead(403).end("forbidden");
        return;
      }
      const st = await fsp.stat(p).catch(() => null);
      if (st?.isDirectory()) p = path.join(p, "index.html");
      const st2 = st?.isDirectory() ? await fsp.stat(p).catch(() => null) : st;
      if (!st2) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end(`not found: ${url.pathname}`);
        return;
      }
      res.writeHead(200, {
        "Content-Type": MIME[path.extname(p).toLowerCase()] ?? "application/octet-stream",
        "Content-Length": st2.size,
        "Cache-Control": "no-cache",
        ...ISOLATION_HEADERS,
        "Cross-Origin-Resource-Policy": "same-origin",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(p).pipe(res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      break;
    } catch (e) {
      if (e.code !== "EADDRINUSE" || strictPort || port === 0 || attempt > 20) throw e;
      port++;
    }
  }
  const actual = server.address().port;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function parseArgs(argv) {
  const o = { port: 5180, build: true, serve: true, dev: false, modelsDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port") o.port = Number(argv[++i]);
    else if (a.startsWith("--port=")) o.port = Number(a.slice(7));
    else if (a === "--build-only") o.serve = false;
    else if (a === "--no-build") o.build = false;
    else if (a === "--dev") o.dev = true;
    else if (a === "--models") o.modelsDir = path.resolve(argv[++i] ?? "");
    else if (a.startsWith("--models=")) o.modelsDir = path.resolve(a.slice(9));
    else if (a === "-h" || a === "--help") {
      console.log(
        "usage: npm run explorer [-- --port N] [--build-only | --no-build | --dev] [--models DIR]\n" +
          "  builds the page into explorer/dist with Vite and serves it on 127.0.0.1 (port 5180, or the next free one)\n" +
          "  --models DIR   trained models (*.safetensors, samples/*.png) from DIR instead of the project's models/",
      );
      process.exit(0);
    } else {
      console.error(`unknown option ${a} (try --help)`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    console.error("--port needs a port number");
    process.exit(2);
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.dev) {
    const publicDir = path.join(GENERATED, "public");
    await generatePublic({ publicDir, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}) });
    const { createServer: viteServer } = await import("vite");
    const server = await viteServer({ ...viteConfig({ publicDir }), logLevel: "info", server: { ...viteConfig().server, port: o.port } });
    await server.listen();
    console.log(`FCN explorer (dev, reloads on edits): ${server.resolvedUrls.local[0]}`);
    return;
  }
  if (o.modelsDir && !existsSync(o.modelsDir)) {
    console.error(`--models ${o.modelsDir}: no such folder`);
    process.exit(2);
  }
  if (o.build) await buildExplorer(o.modelsDir ? { modelsDir: o.modelsDir } : {});
  if (!o.serve) return;
  if (!existsSync(path.join(DEFAULT_OUT, "index.html"))) {
    console.error(`no build in ${path.relative(process.cwd(), DEFAULT_OUT)}: run npm run explorer without --no-build`);
    process.exit(1);
  }
  const s = await serveStatic(DEFAULT_OUT, { port: o.port });
  console.log(`FCN explorer: ${s.url}  (Ctrl-C stops it)`);
  const stop = async () => {
    await s.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
