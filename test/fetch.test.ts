/**
 * `fcn-viz fetch`, the weights cache and names, with no network: a local HTTP server on
 * 127.0.0.1 serves small-width fixtures under a test registry; the real registry is
 * checked for consistency against REFERENCE.md and the class-name lists.
 */
import { createHash } from "node:crypto";
import dns from "node:dns";
import { createReadStream, existsSync, promises as fsp } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { IMAGENET_CLASS_NAMES } from "../core/class-names/imagenet.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
import { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
import { writeNpy } from "../src/io/npy.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { fetchCommand } from "../src/published/cli.js";
import { cachedWeightsPath, weightsCacheDir } from "../src/published/cache.js";
import { fetchWeights, FetchError } from "../src/published/fetch.js";
import { loadWeights } from "../src/published/load.js";
import { downloadReporter } from "../src/published/progress.js";
import { isPublishedName, PUBLISHED_WEIGHTS, publishedSpec, publishedWeights, type PublishedWeights } from "../src/published/registry.js";
import { fromTensors, readWeights, writeWeights } from "../src/weights/index.js";
import type { DownloadProgress } from "../src/published/download.js";
import { randomCaffemodelFile } from "./support/caffemodel.js";
import { cli } from "./support/cli.js";

// --- fixtures: a 1/16-width FCN-8s (about 2 MB) and one of the wrong width --------------

const WIDTH = 1 / 16;
let root: string;
let good: Buffer;
let wrong: Buffer;

async function fixture(width: number, seed: number, path: string): Promise<Buffer> {
  const params = randomParams(modelSpec("fcn8s", { width }), seed);
  await writeWeights(path, { params: await fromTensors(params), meta: { model: "fcn8s" } }, "safetensors");
  params.forEach((t) => t.dispose());
  return fsp.readFile(path);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
/** Files compared by digest: vitest's deep equality walks a 2 MB buffer byte by byte. */
const digest = async (p: string) => sha256(await fsp.readFile(p));

// --- a local server: each path is a behaviour; every request is recorded -----------------

interface Seen {
  readonly path: string;
  readonly range: string | undefined;
}
let server: http.Server;
let base: string;
const seen: Seen[] = [];
/** Other files by path (the .caffemodel fixtures). */
const files = new Map<string, Buffer>();
/** Paths whose next answer is cut after this many bytes (then they answer normally). */
const cutOnce = new Map<string, number>();

function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url!, "http://x").pathname;
  const range = req.headers.range;
  seen.push({ path, range });
  if (path === "/hang") return; // never answers
  if (path === "/missing") {
    res.writeHead(404, "Not Found").end("no such file");
    return;
  }
  if (path === "/moved") {
    res.writeHead(302, { Location: "/good" }).end();
    return;
  }
  if (path === "/loop") {
    res.writeHead(302, { Location: "/loop" }).end();
    return;
  }
  const body = files.get(path) ?? (path.startsWith("/wrong") ? wrong : good);
  if (path === "/portal") {
    res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>Please log in to the Wi-Fi</body></html>");
    return;
  }
  if (path === "/chunked") {
    res.writeHead(200); // no Content-Length: the size is known only at the end
    res.end(body);
    return;
  }
  const honoursRange = !path.startsWith("/norange");
  const cut = cutOnce.get(path);
  if (cut !== undefined) {
    cutOnce.delete(path);
    res.writeHead(200, { "Content-Length": body.length, ETag: '"v1"' });
    // The socket dies mid-body, after `cut` bytes reached it.
    res.write(body.subarray(0, cut), () => res.socket?.destroy());
    return;
  }
  const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
  if (honoursRange && m) {
    const start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { "Content-Range": `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { "Content-Length": body.length - start, "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}`, ETag: '"v1"' });
    res.end(body.subarray(start));
    return;
  }
  res.writeHead(200, { "Content-Length": body.length, ETag: '"v1"' });
  res.end(body);
}

/** A registry entry for the fixture, as the published ones are written. */
function entry(over: Partial<PublishedWeights> = {}): PublishedWeights {
  return {
    name: "tiny-fcn8s",
    file: "tiny-fcn8s.safetensors",
    url: `${base}/good`,
    urlSource: "this test",
    bytes: good.length,
    licence: "test fixture",
    model: "fcn8s",
    classes: 21,
    width: WIDTH,
    classNames: VOC_CLASS_NAMES,
    format: "safetensors",
    description: "a 1/16-width FCN-8s with random weights",
    ...over,
  };
}

beforeAll(async () => {
  root = await fsp.mkdtemp(join(tmpdir(), "fcn-viz-fetch-"));
  good = await fixture(WIDTH, 1, join(root, "good.safetensors"));
  wrong = await fixture(WIDTH / 2, 2, join(root, "wrong.safetensors"));
  server = http.createServer(serve);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Bounded: the server closes itself even if afterAll never runs.
  setTimeout(() => server.close(), 170_000).unref();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await fsp.rm(root, { recursive: true, force: true });
});

let cache: string;
let n = 0;
beforeEach(async () => {
  cache = join(root, `cache-${n++}`);
  vi.stubEnv("FCN_VIZ_CACHE", cache);
  seen.length = 0;
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** fetchWeights with the test registry, collecting log lines and progress. */
async function fetchTiny(e: PublishedWeights, o: { url?: string; from?: string; timeoutMs?: number } = {}) {
  const log: string[] = [];
  const progress: DownloadProgress[] = [];
  const target = join(cache, e.file);
  const run = fetchWeights(e.name, {
    ...o,
    registry: [e],
    log: (l) => log.push(l),
    onProgress: (p) => {
      // Atomic install: while bytes arrive, nothing is at the final path.
      expect(existsSync(target)).toBe(false);
      progress.push(p);
    },
  });
  return { run, log, progress, target };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

describe("fetchWeights against a local server", () => {
  it("downloads, reports progress up to the size, installs the file and records its sha256", async () => {
    const { run, progress, log, target } = await fetchTiny(entry());
    expect(await run).toBe(target);
    expect(await digest(target)).toBe(sha256(good));
    expect(progress.at(-1)).toEqual({ received: good.length, total: good.length, resumedFrom: 0 });
    const received = progress.map((p) => p.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(await fsp.readFile(`${target}.sha256`, "utf8")).toBe(`${sha256(good)}  tiny-fcn8s.safetensors\n`);
    expect(log.join("\n")).toContain(sha256(good));
    expect(existsSync(`${target}.part`)).toBe(false);
    expect(cachedWeightsPath("tiny-fcn8s", [entry()])).toBe(target);
  });

  it("follows a redirect", async () => {
    const { run, target } = await fetchTiny(entry({ url: `${base}/moved` }));
    await run;
    expect(await digest(target)).toBe(sha256(good));
    expect(seen.map((s) => s.path)).toEqual(["/moved", "/good"]);
  });

  it("resumes a cut download with a Range request and ends with the same bytes", async () => {
    cutOnce.set("/good", 700_000);
    const first = await fetchTiny(entry());
    const err = await failure(first.run);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toMatch(/cut|closed after/);
    expect(err.message).toContain("the same command resumes");
    const kept = (await fsp.stat(`${first.target}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(good.length);
    expect(existsSync(first.target)).toBe(false);

    const second = await fetchTiny(entry());
    await second.run;
    expect(seen.at(-1)).toEqual({ path: "/good", range: `bytes=${kept}-` });
    expect(second.progress[0]).toMatchObject({ received: kept, resumedFrom: kept });
    expect(await digest(second.target)).toBe(sha256(good));
  });

  it("starts over cleanly when the server ignores Range", async () => {
    cutOnce.set("/norange", 500_000);
    const e = entry({ url: `${base}/norange` });
    await failure((await fetchTiny(e)).run);
    const second = await fetchTiny(e);
    await second.run;
    expect(seen.at(-1)!.range).toMatch(/^bytes=\d+-$/);
    expect(second.log.join("\n")).toContain("starting over");
    expect(second.progress.at(-1)).toEqual({ received: good.length, total: good.length, resumedFrom: 0 });
    expect(await digest(second.target)).toBe(sha256(good));
  });

  it("a complete .part left by an interrupted install is checked and installed, not downloaded again", async () => {
    // As a run that stopped after the last byte leaves it: the bytes and their state.
    const target = join(cache, entry().file);
    await fsp.mkdir(cache, { recursive: true });
    await fsp.writeFile(`${target}.part`, good);
    await fsp.writeFile(`${target}.part.json`, JSON.stringify({ url: `${base}/good`, total: good.length }));
    await (await fetchTiny(entry())).run;
    expect(seen).toEqual([{ path: "/good", range: `bytes=${good.length}-` }]);
    expect(await digest(target)).toBe(sha256(good));
  });

  it("a size that differs from the registry's is an error on the default URL, and nothing is installed", async () => {
    const e = entry({ bytes: good.length + 1 });
    const { run, target } = await fetchTiny(e);
    const err = await failure(run);
    expect(err.message).toContain(`${good.length.toLocaleString("en-US")} bytes`);
    expect(err.message).toContain(`${(good.length + 1).toLocaleString("en-US")} bytes`);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.part`)).toBe(false);
  });

  it("without a Content-Length, the size is checked after the download: a mismatch installs nothing", async () => {
    const { run, target } = await fetchTiny(entry({ bytes: good.length + 1, url: `${base}/chunked` }));
    const err = await failure(run);
    expect(err.message).toMatch(/has [\d,]+ bytes; the published tiny-fcn8s.safetensors has [\d,]+\nnothing was installed/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.part`)).toBe(false);
    const ok = await fetchTiny(entry({ url: `${base}/chunked` }));
    await ok.run;
    expect(ok.progress.at(-1)).toEqual({ received: good.length, total: undefined, resumedFrom: 0 });
    expect(await digest(ok.target)).toBe(sha256(good));
  });

  it("with --url, a file of another size is kept, with a warning, because its tensors check out", async () => {
    const e = entry({ bytes: good.length + 1, url: `${base}/nowhere` });
    const { run, log, target } = await fetchTiny(e, { url: `${base}/good` });
    await run;
    expect(log.join("\n")).toMatch(/warning: .* has [\d,]+ bytes; the published tiny-fcn8s.safetensors has [\d,]+; keeping it/);
    expect(await digest(target)).toBe(sha256(good));
  });

  it("a file whose tensors do not fit is refused, and nothing is installed", async () => {
    const e = entry({ bytes: undefined, url: `${base}/wrong` });
    const { run, target } = await fetchTiny(e);
    const err = await failure(run);
    expect(err.message).toContain("do not fit the model");
    expect(err.message).toContain("nothing was installed");
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.part`)).toBe(false);
  });

  it("a page that is no weights file (a captive portal) is refused, named by its URL", async () => {
    const { run, target } = await fetchTiny(entry({ bytes: undefined, url: `${base}/portal` }));
    const err = await failure(run);
    expect(err.message).toContain(`the file from ${base}/portal is not a weights file`);
    expect(err.message).not.toContain(".part");
    expect(existsSync(target)).toBe(false);
  });

  it("a 404 is one message with the URL and both alternatives", async () => {
    const e = entry({ url: `${base}/missing` });
    const err = await failure((await fetchTiny(e)).run);
    expect(err.message).toContain(`cannot download tiny-fcn8s from ${base}/missing: HTTP 404 Not Found`);
    expect(err.message).toContain("npx fcn-viz fetch tiny-fcn8s --url URL");
    expect(err.message).toContain("npx fcn-viz fetch tiny-fcn8s --from FILE");
  });

  it("a server that is gone (connection refused) is one message", async () => {
    const gone = http.createServer();
    await new Promise<void>((r) => gone.listen(0, "127.0.0.1", r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    const err = await failure((await fetchTiny(entry({ url: `http://127.0.0.1:${port}/x` }))).run);
    expect(err.message).toContain(`127.0.0.1:${port} refused the connection`);
    expect(err.message).toContain("--from FILE");
  });

  it("a server that never answers times out with a message", async () => {
    const err = await failure((await fetchTiny(entry({ url: `${base}/hang` }), { timeoutMs: 300 })).run);
    expect(err.message).toContain("no answer for 0.3 s");
    expect(err.message).toContain("--url URL");
  });

  it("endless redirects stop", async () => {
    const err = await failure((await fetchTiny(entry({ url: `${base}/loop` }))).run);
    expect(err.message).toContain("too many redirects");
  });

  it("--from imports a copy (the original stays) with the same checks", async () => {
    const mine = join(root, "my-copy.safetensors");
    await fsp.writeFile(mine, good);
    const { run, target } = await fetchTiny(entry({ url: `${base}/missing` }), { from: mine });
    await run;
    expect(seen).toEqual([]); // nothing downloaded
    expect(await digest(target)).toBe(sha256(good));
    expect(await digest(mine)).toBe(sha256(good));
    expect(await fsp.readFile(`${target}.sha256`, "utf8")).toContain(sha256(good));

    const bad = join(root, "wrong-copy.safetensors");
    await fsp.writeFile(bad, wrong);
    const err = await failure((await fetchTiny(entry(), { from: bad })).run);
    expect(err.message).toContain("do not fit the model");
    expect(await digest(target)).toBe(sha256(good)); // the cached copy is untouched
    expect((await fsp.readdir(cache)).sort()).toEqual(["tiny-fcn8s.safetensors", "tiny-fcn8s.safetensors.sha256"]);

    expect((await failure((await fetchTiny(entry(), { from: join(root, "nope") })).run)).message).toContain("no such file");
  });

  it("an already cached name is not downloaded again", async () => {
    await (await fetchTiny(entry())).run;
    seen.length = 0;
    const again = await fetchTiny(entry());
    await again.run;
    expect(seen).toEqual([]);
    expect(again.log.join("\n")).toContain("already in the cache");
  });
});

describe("the authors' format: .caffemodel files (written by the tests' own writer)", () => {
  /** A fixture under the given path, as the registry names it: small width, otherwise as published. */
  async function serveCaffemodel(urlPath: string, model: "fcn8s" | "vgg16", o: { atOnce?: boolean; classes?: number } = {}): Promise<Buffer> {
    const p = join(root, `${urlPath.slice(1)}.caffemodel`);
    await randomCaffemodelFile(p, model, { width: WIDTH, ...o });
    const bytes = await fsp.readFile(p);
    files.set(urlPath, bytes);
    return bytes;
  }
  const caffeEntry = (over: Partial<PublishedWeights>) => entry({ format: "caffemodel", file: "tiny.caffemodel", bytes: undefined, ...over });

  it("a training snapshot of the at-once FCN-8s installs as the at-once net, not as the staged one", async () => {
    const bytes = await serveCaffemodel("/atonce", "fcn8s", { atOnce: true });
    const ok = await fetchTiny(caffeEntry({ name: "tiny-atonce", url: `${base}/atonce`, atOnce: true }));
    await ok.run;
    expect(await digest(ok.target)).toBe(sha256(bytes));
    expect((await loadWeights("tiny-atonce", { registry: [caffeEntry({ name: "tiny-atonce", atOnce: true })] })).meta.atOnce).toBe(true);

    // Same tensors, other net: only the file's Scale layers tell them apart.
    const staged = await fetchTiny(caffeEntry({ name: "tiny-staged", file: "tiny-staged.caffemodel", url: `${base}/atonce` }));
    const err = await failure(staged.run);
    expect(err.message).toContain("is the at-once FCN-8s, but tiny-staged is the staged one");
    expect(existsSync(staged.target)).toBe(false);
  });

  it("the VGG authors' 2014 form (V1 layers, fc6 an InnerProduct) checks against VGG16 with 1000 classes", async () => {
    const bytes = await serveCaffemodel("/vgg", "vgg16");
    const e = caffeEntry({ name: "tiny-vgg16", url: `${base}/vgg`, model: "vgg16", classes: 1000, classNames: IMAGENET_CLASS_NAMES, bytes: bytes.length });
    const { run, target } = await fetchTiny(e);
    await run;
    expect(await digest(target)).toBe(sha256(bytes));
    const file = await loadWeights("tiny-vgg16", { registry: [e] });
    expect(file.meta.classNames).toBe(IMAGENET_CLASS_NAMES);
    expect(file.params.get("fc8.weight")!.shape).toEqual([1, 1, 4096 * WIDTH, 1000]);
  });

  it("full width: the real voc-fcn8s entry imports a 540 MB file in the authors' form (--from), every tensor checked", async () => {
    const mine = join(root, "full-fcn8s-heavy-pascal.caffemodel");
    await randomCaffemodelFile(mine, "fcn8s", { seed: 3 });
    const log: string[] = [];
    const target = await fetchWeights("voc-fcn8s", { from: mine, log: (l) => log.push(l) });
    expect(target).toBe(join(cache, "fcn8s-heavy-pascal.caffemodel"));
    // Random weights are not the authors' file: OpenCV's SHA-1 differs, which only warns.
    expect(log.join("\n")).toMatch(/warning: .*sha1 [0-9a-f]{40} differs from c449ea74dd7d83751d1357d6a8c323fcf4038962, published by OpenCV/);
    const [seen] = (await fsp.readFile(`${target}.sha256`, "utf8")).split(" ");
    const { size } = await fsp.stat(target);
    expect(size).toBeGreaterThan(537_959_036); // FCN-8s' 134,489,759 float32 parameters, plus framing
    const h = createHash("sha256");
    for await (const chunk of createReadStream(mine)) h.update(chunk as Buffer);
    expect(seen).toBe(h.digest("hex"));
    await fsp.rm(mine);
    await fsp.rm(target);
  });

  it("a safetensors copy offered for a .caffemodel name is refused with what to do instead", async () => {
    const e = caffeEntry({ url: `${base}/good` });
    const err = await failure((await fetchTiny(e)).run);
    expect(err.message).toContain("is a safetensors file, but tiny-fcn8s is published as caffemodel");
    expect(err.message).toContain("--weights FILE");
  });
});

describe("the cache folder", () => {
  it("$FCN_VIZ_CACHE, else $XDG_CACHE_HOME/fcn-viz (absolute only), else the platform's user cache", () => {
    expect(weightsCacheDir({ FCN_VIZ_CACHE: "/c", XDG_CACHE_HOME: "/x" }, "linux", "/home/u")).toBe("/c");
    expect(weightsCacheDir({ XDG_CACHE_HOME: "/x" }, "linux", "/home/u")).toBe("/x/fcn-viz");
    expect(weightsCacheDir({ XDG_CACHE_HOME: "relative/x" }, "linux", "/home/u")).toBe("/home/u/.cache/fcn-viz");
    expect(weightsCacheDir({ FCN_VIZ_CACHE: "" }, "linux", "/home/u")).toBe("/home/u/.cache/fcn-viz");
    expect(weightsCacheDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/fcn-viz");
    expect(weightsCacheDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u")).toBe("C:\\Users\\u\\AppData\\Local\\fcn-viz\\Cache");
  });
  it("the tests' $FCN_VIZ_CACHE is what the library uses", () => {
    expect(weightsCacheDir()).toBe(cache);
    expect(cachedWeightsPath("voc-fcn8s")).toBeUndefined();
  });
});

describe("the download's progress line", () => {
  const MB = 1e6;
  const p = (received: number, total = 100 * MB): DownloadProgress => ({ received, total, resumedFrom: 0 });
  it("in a log: one plain line every 5 s with bytes, rate and time left", () => {
    let t = 0;
    let text = "";
    const r = downloadReporter("voc-fcn8s", { write: (s) => (text += s), isTTY: false, now: () => t });
    r.update(p(0));
    t = 1000;
    r.update(p(10 * MB));
    t = 5000;
    r.update(p(50 * MB)); // 50 MB in 5 s: 10 MB/s, 50 MB to go: 5 s
    t = 6000;
    r.update(p(60 * MB));
    r.done(); // 60 MB in 6 s: 10 MB/s, 40 MB to go: 4 s
    r.done(); // twice: nothing more
    expect(text.split("\n")).toEqual([
      "voc-fcn8s: 0% 0 B of 100.0 MB",
      "voc-fcn8s: 50% 50.0 MB of 100.0 MB, 10.0 MB/s, 5s left",
      "voc-fcn8s: 60% 60.0 MB of 100.0 MB, 10.0 MB/s, 4s left",
      "",
    ]);
  });
  it("on a terminal: a bar redrawn in place, ended by done()", () => {
    let t = 0;
    let text = "";
    const r = downloadReporter("vgg16", { write: (s) => (text += s), isTTY: true, now: () => t });
    r.update(p(0));
    t = 2000;
    r.update(p(25 * MB)); // 12.5 MB/s, 75 MB left: 6 s
    r.done();
    expect(text).toBe(
      `\r\x1b[Kvgg16 [${".".repeat(24)}] 0 B of 100.0 MB` +
        `\r\x1b[Kvgg16 [${"#".repeat(6)}${".".repeat(18)}] 25.0 MB of 100.0 MB  12.5 MB/s  6s left` +
        `\r\x1b[Kvgg16 [${"#".repeat(6)}${".".repeat(18)}] 25.0 MB of 100.0 MB  12.5 MB/s  6s left\n`,
    );
  });
});

describe("the published registry", () => {
  const byName = new Map(PUBLISHED_WEIGHTS.map((w) => [w.name, w]));
  it("holds the seven files of the issue, with unique names and file names and http(s) URLs", () => {
    expect([...byName.keys()]).toEqual(["voc-fcn32s", "voc-fcn16s", "voc-fcn8s", "voc-fcn8s-atonce", "pascalcontext-fcn8s", "vgg16", "vgg16-keras"]);
    expect(new Set(PUBLISHED_WEIGHTS.map((w) => w.file)).size).toBe(PUBLISHED_WEIGHTS.length);
    for (const w of PUBLISHED_WEIGHTS) {
      expect(new URL(w.url).protocol).toMatch(/^https?:$/);
      expect(w.licence.length).toBeGreaterThan(0);
      expect(w.width ?? 1).toBe(1);
    }
  });
  it("names the nets, class counts and class names REFERENCE.md gives", () => {
    const expected: Record<string, [string, number, readonly string[], boolean]> = {
      "voc-fcn32s": ["fcn32s", 21, VOC_CLASS_NAMES, false],
      "voc-fcn16s": ["fcn16s", 21, VOC_CLASS_NAMES, false],
      "voc-fcn8s": ["fcn8s", 21, VOC_CLASS_NAMES, false],
      "voc-fcn8s-atonce": ["fcn8s", 21, VOC_CLASS_NAMES, true],
      "pascalcontext-fcn8s": ["fcn8s", 60, PASCAL_CONTEXT_CLASS_NAMES, false],
      vgg16: ["vgg16", 1000, IMAGENET_CLASS_NAMES, false],
      "vgg16-keras": ["vgg16", 1000, IMAGENET_CLASS_NAMES, false],
    };
    for (const [name, [model, classes, names, atOnce]] of Object.entries(expected)) {
      const w = byName.get(name)!;
      expect([w.model, w.classes, w.classNames, w.atOnce ?? false]).toEqual([model, classes, names, atOnce]);
      const spec = publishedSpec(w);
      expect([spec.model, spec.classes, spec.width]).toEqual([model, classes, 1]);
    }
    expect(VOC_CLASS_NAMES[0]).toBe("background");
    expect(PASCAL_CONTEXT_CLASS_NAMES[0]).toBe("background");
  });
  it("the VGG authors' file is 553,432,081 bytes, CC BY 4.0; the FCN files are the authors' Caffe models", () => {
    expect(byName.get("vgg16")!.bytes).toBe(553_432_081);
    expect(byName.get("vgg16")!.licence).toContain("CC BY 4.0");
    expect(byName.get("voc-fcn8s")!.url).toBe("http://dl.caffe.berkeleyvision.org/fcn8s-heavy-pascal.caffemodel");
    for (const w of PUBLISHED_WEIGHTS.filter((x) => x.name.includes("fcn"))) {
      expect(w.format).toBe("caffemodel");
      expect(w.licence).toContain("unrestricted use");
    }
  });
  it("unknown names are errors listing the known ones", () => {
    expect(isPublishedName("voc-fcn8s")).toBe(true);
    expect(isPublishedName("fcn8s")).toBe(false);
    expect(() => publishedWeights("voc-fcn9s")).toThrow(/voc-fcn32s, voc-fcn16s, voc-fcn8s/);
  });
});

describe("fcn-viz fetch (command line)", () => {
  it("--list shows every name with size, licence and cache state", async () => {
    const before = await cli("fetch", "--list");
    expect(before.code).toBe(0);
    expect(before.out).toContain(`weights cache: ${cache}`);
    for (const w of PUBLISHED_WEIGHTS) expect(before.out).toContain(`not cached: npx fcn-viz fetch ${w.name}`);
    // Sizes: the VGG file's published one; the FCN files' from their parameter counts
    // (FCN-8s: VGG16's 138,357,544 - fc8's 4,097,000 + heads 229,215 = 134,489,759 floats).
    expect(before.out).toContain("vgg16  (vgg16, 1000 classes, caffemodel, 553.4 MB)");
    expect(before.out).toContain("voc-fcn8s  (fcn8s, 21 classes, caffemodel, about 538 MB)");
    expect(before.out).toContain("licence: CC BY 4.0");

    await fsp.mkdir(cache, { recursive: true });
    const file = join(cache, "fcn8s-heavy-pascal.caffemodel");
    await fsp.writeFile(file, "stand-in");
    await fsp.writeFile(`${file}.sha256`, `${"ab".repeat(32)}  fcn8s-heavy-pascal.caffemodel\n`);
    const after = await cli("fetch", "--list");
    expect(after.out).toContain(`cached: ${file} (sha256 abababababababab...)`);
  });

  it("--help says where the cache is and that nothing else downloads", async () => {
    const r = await cli("fetch", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Now: ${cache}`);
    expect(r.out).toContain("Nothing else in fcn-viz downloads anything");
  });

  it("an unreachable URL: exit code 2, one message, no stack", async () => {
    const r = await cli("fetch", "voc-fcn8s", "--url", `${base}/missing`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`fcn-viz: cannot download voc-fcn8s from ${base}/missing: HTTP 404 Not Found`);
    expect(r.err).toContain("--from FILE");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("offline (the name lookup fails): the default URL, one message, both alternatives", async () => {
    // No packet leaves: the lookup itself fails, as it does without a network.
    const lookup = vi.spyOn(dns, "lookup").mockImplementation(((host: string, o: unknown, cb?: (e: Error) => void) => {
      const done = (typeof o === "function" ? o : cb) as (e: Error) => void;
      done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
    }) as unknown as typeof dns.lookup);
    const r = await cli("fetch", "voc-fcn8s");
    expect(lookup).toHaveBeenCalled();
    expect(r.code).toBe(2);
    expect(r.err).toContain("fcn-viz: cannot download voc-fcn8s from http://dl.caffe.berkeleyvision.org/fcn8s-heavy-pascal.caffemodel: cannot look up dl.caffe.berkeleyvision.org (offline, or no such host)");
    expect(r.err).toContain("npx fcn-viz fetch voc-fcn8s --url URL");
    expect(r.err).toContain("npx fcn-viz fetch voc-fcn8s --from FILE");
    expect(r.err.match(/fcn-viz:/g)).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cache, "fcn8s-heavy-pascal.caffemodel"))).toBe(false);
  });

  it("an unknown name lists the names", async () => {
    const r = await cli("fetch", "voc-fcn9s");
    expect(r.code).toBe(2);
    expect(r.err).toContain("choose one of voc-fcn32s");
  });

  it("draws the progress and prints the sha256 (test registry)", async () => {
    const lines: string[] = [];
    let bar = "";
    await fetchCommand(["tiny-fcn8s"], (l) => lines.push(l), { registry: [entry()], progress: { write: (s) => (bar += s), isTTY: false } });
    expect(bar).toMatch(/^tiny-fcn8s: 0% 0 B of [\d.]+ MB/);
    expect(bar).toMatch(/tiny-fcn8s: 100% ([\d.]+ MB) of \1/);
    expect(lines.join("\n")).toContain(`sha256 ${sha256(good)}`);
  });
});

describe("names resolve everywhere", () => {
  /** A small FCN-8s standing in for the cached voc-fcn8s (the real one is 540 MB). */
  async function standIn(): Promise<string> {
    await fsp.mkdir(cache, { recursive: true });
    const p = join(cache, publishedWeights("voc-fcn8s").file);
    await fsp.writeFile(p, good);
    return p;
  }

  it("loadWeights(name) reads the cached file and adds the registry's class names", async () => {
    await standIn();
    const file = await loadWeights("voc-fcn8s");
    expect(file.meta.classNames).toEqual(VOC_CLASS_NAMES);
    expect(file.meta.model).toBe("fcn8s");
    const direct = await readWeights(join(cache, "fcn8s-heavy-pascal.caffemodel"));
    expect([...file.params.keys()]).toEqual([...direct.params.keys()]);
  });

  it("a name not cached says which fetch command gets it and how big it is", async () => {
    await expect(loadWeights("voc-fcn8s")).rejects.toThrow(/`npx fcn-viz fetch voc-fcn8s` \(about 538 MB download\)/);
    await expect(loadWeights("voc-fcn8")).rejects.toThrow(/neither a weights file nor a published name/);
  });

  it("segment --weights NAME and convert NAME OUT", async () => {
    await standIn();
    const input = join(root, "input.npy"); // small and preprocessed: the test is about the name
    await fsp.writeFile(input, writeNpy([32, 32, 3], new Float32Array(32 * 32 * 3)));
    const seg = await cli("segment", input, "--weights", "voc-fcn8s", "--backend", "cpu");
    expect(seg.err).toContain("weights: voc-fcn8s");
    expect(seg.code).toBe(0);
    const out = join(root, "voc-fcn8s.safetensors");
    const conv = await cli("convert", "voc-fcn8s", out);
    expect(conv.code).toBe(0);
    expect((await readWeights(out)).params.get("score_fr.weight")!.data).toEqual((await readWeights(join(cache, "fcn8s-heavy-pascal.caffemodel"))).params.get("score_fr.weight")!.data);
  });

  it("segment --weights NAME, not cached: exit 2 and the fetch command", async () => {
    const r = await cli("segment", "sample-images/chelsea.png", "--weights", "vgg16-keras");
    expect(r.code).toBe(2);
    expect(r.err).toContain("npx fcn-viz fetch vgg16-keras` (553.5 MB download)");
  });
});
