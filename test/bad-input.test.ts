import fs from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli.js";
import { checkFit, largestFit } from "../src/net/memory.js";
import { memoryLimits, useBackend } from "../src/backends/index.js";
import { LOCK_FILE } from "../src/io/files.js";
import { writeNpy } from "../src/io/npy.js";
import { modelFromWeights } from "../src/load.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { fromTensors, readWeights, writeWeights } from "../src/weights/index.js";
import type { HostParams } from "../src/weights/types.js";
import { cli } from "./support/cli.js";

/**
 * Issue 13's cases, each as a user meets it: through the CLI (main() in-process) or the
 * library. Every one ends in one clear line (exit 2) or a correct result, in
 * milliseconds, never a hang; none allocates more than a small test net.
 */
let dir: string;
let host: HostParams;
const small = { width: 1 / 32, classes: 11 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fcn-viz-bad-"));
  await useBackend("cpu");
  const params = randomParams(modelSpec("fcn8s", small), 4);
  host = await fromTensors(params);
  params.forEach((t) => t.dispose());
  await writeWeights(join(dir, "eleven.safetensors"), { params: host, meta: { model: "fcn8s" } });
});
afterEach(() => vi.restoreAllMocks());

/** A one-line error for people: "fcn-viz: ...", no stack. */
function expectOneLineError(r: { code: number; err: string }, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err).toMatch(/(^|\n)fcn-viz: /);
  expect(r.err).not.toMatch(/\n\s+at /);
}

/** The params with one tensor's values changed. */
function withTensor(name: string, change: (d: Float32Array) => void): HostParams {
  const copy: HostParams = new Map(host);
  const t = host.get(name)!;
  const data = new Float32Array(t.data);
  change(data);
  copy.set(name, { shape: t.shape, data });
  return copy;
}

/** A PNG of w x h pixels as far as its header (IHDR) goes, and no pixel data: enough to plan. */
function pngHeaderOnly(w: number, h: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, w);
  v.setUint32(20, h);
  b.set([8, 2, 0, 0, 0], 24); // 8-bit RGB
  return b;
}

describe("every subcommand answers --help (exit 0, usage on stdout)", () => {
  for (const [command, first] of [
    ["segment", /^fcn-viz segment INPUT --weights/],
    ["summary", /^fcn-viz summary/],
    ["convert", /^fcn-viz convert IN OUT/],
    ["train", /^fcn-viz train STAGE/],
    ["fetch", /^fcn-viz fetch NAME/],
  ] as const) {
    it(command, async () => {
      const r = await cli(command, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(first);
      expect(r.err).toBe("");
    });
  }
});

describe("options are numbers of their kind, checked before anything is built", () => {
  const image = "sample-images/chelsea.png";
  const cases: [string, string[], RegExp][] = [
    ["--classes 0.4", ["segment", image, "--weights", "random", "--classes", "0.4"], /--classes must be a whole number of at least 2, got "0\.4"/],
    ["--classes 1", ["segment", image, "--weights", "random", "--classes", "1"], /--classes must be a whole number of at least 2, got "1"/],
    ["--classes 2e1", ["summary", "--classes", "2e1"], /--classes must be a whole number/],
    ["--width 0", ["segment", image, "--weights", "random", "--width", "0"], /--width must be a fraction .* got "0"/],
    ["--width 1/0", ["segment", image, "--weights", "random", "--width", "1/0"], /--width must be a fraction .* got "1\/0"/],
    ["--width 2", ["summary", "--width", "2"], /--width must be a fraction of VGG16's channels above 0 and at most 1/],
    ["--max-side 1.5", ["segment", image, "--weights", "random", "--max-side", "1.5"], /--max-side must be a whole number of at least 1, got "1\.5"/],
    ["--size 0x3", ["summary", "--size", "0x3"], /--size must look like 500x375 .* got "0x3"/],
    ["an unknown option", ["segment", image, "--weights", "random", "--widht", "1/8"], /Unknown option '--widht' \(see fcn-viz segment --help\)/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(...args);
      expectOneLineError(r, message);
      expect(r.err).not.toMatch(/backend:/); // refused before the backend started
    });
  }

  it("an 11-class file given --classes 21 is refused, naming its 11 classes", async () => {
    const r = await cli("segment", image, "--weights", join(dir, "eleven.safetensors"), "--classes", "21", "--backend", "cpu");
    expectOneLineError(r, /--classes 21 does not fit the weights in .*eleven\.safetensors: they have 11 classes/);
    // The same number is fine.
    const ok = await cli("segment", image, "--weights", join(dir, "eleven.safetensors"), "--classes", "11", "--backend", "cpu", "--max-side", "160");
    expect(ok.code).toBe(0);
  });

  it("--taps without --taps-dir says that nothing is written, and runs", async () => {
    const r = await cli("segment", image, "--weights", "random", "--width", "1/64", "--backend", "cpu", "--max-side", "160", "--taps", "pool5,score_fr");
    expect(r.code).toBe(0);
    expect(r.err).toContain("note: --taps pool5,score_fr without --taps-dir writes nothing (add --taps-dir DIR");
    // Tap names are still checked.
    const bad = await cli("segment", image, "--weights", "random", "--width", "1/64", "--backend", "cpu", "--taps", "pool9");
    expectOneLineError(bad, /unknown tap "pool9"/);
  });
});

describe("large photos: planned from shapes, refused at once or resized", () => {
  it("a 4000x3000 photo on the full-width FCN-8s on wasm is refused before decoding, with the --max-side that fits", async () => {
    // Only the PNG's header: the plan needs the size, and the refusal comes before any pixel is read.
    const photo = join(dir, "phone-photo.png");
    await writeFile(photo, pngHeaderOnly(4000, 3000));
    const r = await cli("segment", photo, "--weights", "random", "--backend", "wasm");
    expectOneLineError(r, /input 4000x3000 \(width x height\) is too large for fcn8s on wasm: the pass needs about [\d.]+ GiB at its peak \(while conv1_2 runs\), more than 80% of the 4 GiB a 32-bit WebAssembly module can address\. Options: add --max-side (\d+) \(\d+x\d+ fits\); or --backend cpu/);
    const side = Number(/--max-side (\d+)/.exec(r.err)![1]);
    // The named side is the boundary: it fits, one more pixel does not (same plan as the CLI's).
    const spec = modelSpec("fcn8s");
    const o = { firstPass: true, checkFinite: true };
    const limits = memoryLimits();
    expect(limits.backend).toBe("wasm");
    expect(Math.max(...largestFit(spec, 3000, 4000, limits, o)!)).toBe(side);
    expect(checkFit(spec, Math.round((side * 3) / 4), side, limits, o).ok).toBe(true);
    expect(checkFit(spec, Math.round(((side + 1) * 3) / 4), side + 1, limits, o).ok).toBe(false);
    expect(r.err).not.toMatch(/corrupt/); // the pixel data (absent) was never read
    await useBackend("cpu");
  });

  it("--max-side shrinks the photo (same aspect ratio) and says so", async () => {
    const r = await cli("segment", "sample-images/chelsea.png", "--weights", "random", "--width", "1/64", "--backend", "cpu", "--max-side", "200");
    expect(r.code).toBe(0);
    expect(r.err).toContain("resized to 200x133: the longer side is capped at 200 px");
    expect(r.err).toMatch(/forward fcn8s 133x200 on cpu/);
  });
});

describe("non-finite numbers are errors", () => {
  it("a NaN pixel of a .npy input is named by row, column and channel; so is an Inf", async () => {
    const a = new Float32Array(40 * 50 * 3).fill(1);
    a[(7 * 50 + 9) * 3 + 2] = NaN;
    await writeFile(join(dir, "nan.npy"), writeNpy([40, 50, 3], a));
    const r = await cli("segment", join(dir, "nan.npy"), "--weights", "random", "--width", "1/64", "--backend", "cpu");
    expectOneLineError(r, /nan\.npy: the pixel at row 7, column 9 \(channel 2\) is NaN; 1 of the array's 6,000 values is not a finite number/);
    const b = new Float32Array(40 * 50 * 3).fill(1);
    b[5] = -Infinity;
    b[6] = Infinity;
    await writeFile(join(dir, "inf.npy"), writeNpy([1, 40, 50, 3], b));
    const s = await cli("segment", join(dir, "inf.npy"), "--weights", "random", "--width", "1/64", "--backend", "cpu");
    expectOneLineError(s, /inf\.npy: the pixel at row 0, column 1 \(channel 2\) is -Inf; 2 of the array's 6,000 values are not/);
  });

  it("a NaN weight is refused on load, naming the tensor and the element (library, segment and convert)", async () => {
    const bad = withTensor("score_fr.bias", (d) => (d[3] = NaN));
    const file = join(dir, "nan-bias.safetensors");
    await writeWeights(file, { params: bad, meta: { model: "fcn8s" } });
    const loaded = await readWeights(file);
    expect(() => modelFromWeights(undefined, loaded)).toThrow(/nan-bias\.safetensors: score_fr\.bias holds NaN at index 3; 1 of its 11 values is not a finite number/);
    const r = await cli("segment", "sample-images/chelsea.png", "--weights", file, "--backend", "cpu");
    expectOneLineError(r, /score_fr\.bias holds NaN at index 3/);
    const c = await cli("convert", file, join(dir, "out.h5"));
    expectOneLineError(c, /score_fr\.bias holds NaN at index 3/);
    expect(fs.existsSync(join(dir, "out.h5"))).toBe(false);
  });

  it("a pass that overflows names the first tap where NaN/Inf appears, and reports no prediction", async () => {
    // Finite weights (~1e36) whose products overflow float32: everything before fc6 stays finite.
    const huge = withTensor("fc6.weight", (d) => d.forEach((v, i) => (d[i] = v * 1e38)));
    const file = join(dir, "huge.safetensors");
    await writeWeights(file, { params: huge, meta: { model: "fcn8s" } });
    const r = await cli("segment", "sample-images/chelsea.png", "--weights", file, "--backend", "cpu", "--max-side", "160");
    expectOneLineError(r, /the forward pass produced non-finite values .*, first in fc6\. .*No prediction is reported/);
    expect(r.err).not.toMatch(/prediction:/);
  });
});

describe("outputs: checked before the pass, written whole, one line naming the target", () => {
  const image = "sample-images/chelsea.png";
  const run = (...extra: string[]) => cli("segment", image, "--weights", "random", "--width", "1/64", "--backend", "cpu", "--max-side", "160", ...extra);

  it("--out under /proc fails before the forward pass (no spin, no temporary name)", async () => {
    const r = await run("--out", "/proc/fcn-viz-test/x.png");
    expectOneLineError(r, /cannot create folder \/proc\/fcn-viz-test: the file system does not allow creating folders in \/proc/);
    expect(r.err).not.toMatch(/forward/);
    const f = await run("--out", "/proc/x.png");
    expectOneLineError(f, /cannot write \/proc\/x\.png: the file system does not allow creating files in \/proc/);
  });

  it("permission denied names the target, not a temporary file (/sys refuses even root)", async () => {
    const r = await run("--out", "/sys/x.png");
    expectOneLineError(r, /^fcn-viz: cannot write \/sys\/x\.png: permission denied \(EACCES\)\n$/);
    expect(r.err).not.toMatch(/\.tmp/);
  });

  it("a folder as --out, a file as --taps-dir: said before the pass", async () => {
    const d = await cli("segment", image, "--weights", "random", "--width", "1/64", "--backend", "cpu", "--out", dir);
    expectOneLineError(d, /cannot write .*: it is a folder; give a file name/);
    const f = await run("--taps-dir", join(dir, "eleven.safetensors", "taps"));
    expectOneLineError(f, /cannot create folder .*taps: .*eleven\.safetensors is a file, not a folder/);
    expect(f.err).not.toMatch(/forward/);
  });

  it("a taps folder is one run's: a live owner's lock refuses the second run at once, a dead owner's is taken over", async () => {
    const taps = join(dir, "taps");
    await mkdir(taps, { recursive: true });
    // This test process is alive: its pid in the lock means "a run is writing".
    await writeFile(join(taps, LOCK_FILE), JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), started: "now" }));
    const busy = await run("--taps-dir", taps);
    expectOneLineError(busy, new RegExp(`is being written by another fcn-viz run \\(pid ${process.pid}, since now\\): give --taps-dir another folder`));
    expect(busy.err).not.toMatch(/forward/);
    // A pid that has exited: the lock is stale.
    const { spawnSync } = await import("node:child_process");
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    await writeFile(join(taps, LOCK_FILE), JSON.stringify({ pid: gone, host: (await import("node:os")).hostname(), started: "then" }));
    const r = await run("--taps-dir", taps, "--taps", "pool5,score");
    expect(r.code).toBe(0);
    // Written whole: the manifest and its files, no temporary files, and the lock released.
    const names = (await readdir(taps)).sort();
    expect(names).toEqual(["manifest.json", "pool5.npy", "score.npy"]);
    // A later run with other taps replaces the set: nothing from the first run is left.
    const again = await run("--taps-dir", taps, "--taps", "fc7");
    expect(again.code).toBe(0);
    expect((await readdir(taps)).sort()).toEqual(["fc7.npy", "manifest.json"]);
    expect(JSON.parse(await readFile(join(taps, "manifest.json"), "utf8")).taps.map((t: { name: string }) => t.name)).toEqual(["fc7"]);
  });

  it("two runs started together on one taps folder: one writes it, the other is refused at once (never a torn manifest)", async () => {
    const taps = join(dir, "race");
    let err = "";
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation((t) => ((err += String(t)), true));
    const args = (tap: string) => ["segment", image, "--weights", "random", "--width", "1/64", "--backend", "cpu", "--max-side", "160", "--taps-dir", taps, "--taps", tap];
    const codes = await Promise.all([main(args("pool5")), main(args("fc7"))]);
    vi.restoreAllMocks();
    expect([...codes].sort()).toEqual([0, 2]);
    expect(err).toMatch(/race is being written by another fcn-viz run/);
    const manifest = JSON.parse(await readFile(join(taps, "manifest.json"), "utf8"));
    const winner = manifest.taps.map((t: { name: string }) => t.name);
    expect(winner).toEqual([codes[0] === 0 ? "pool5" : "fc7"]);
    expect((await readdir(taps)).sort()).toEqual([`${winner[0]}.npy`, "manifest.json"].sort());
  });

  /** What HDF5 (h5wasm writes its diagnostics straight to fd 2, past process.stderr) prints during `run`. */
  async function fd2(run: () => Promise<void>): Promise<string> {
    let raw = "";
    const writeSync = fs.writeSync;
    vi.spyOn(fs, "writeSync").mockImplementation(((fd: number, data: unknown, offset?: unknown, length?: unknown, ...rest: unknown[]) => {
      if (fd !== 2) return (writeSync as (...a: unknown[]) => number)(fd, data, offset, length, ...rest);
      // Emscripten passes its whole heap with an offset and a length.
      const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from((data as Uint8Array).buffer, (data as Uint8Array).byteOffset + Number(offset ?? 0), Number(length ?? (data as Uint8Array).byteLength));
      raw += bytes.toString();
      return bytes.length;
    }) as typeof fs.writeSync);
    await run();
    return raw;
  }

  it("convert to an unwritable .h5: one line naming it, no HDF5-DIAG pages on stderr", async () => {
    let r = { code: 0, out: "", err: "" };
    const raw = await fd2(async () => void (r = await cli("convert", join(dir, "eleven.safetensors"), "/sys/x.h5")));
    expectOneLineError(r, /^fcn-viz: cannot write \/sys\/x\.h5: permission denied \(EACCES\)\n$/);
    expect(raw).not.toMatch(/HDF5-DIAG/);
  });

  it("a truncated .h5: one line saying so, no HDF5-DIAG pages", async () => {
    const whole = join(dir, "whole.h5");
    await writeWeights(whole, { params: host, meta: { model: "fcn8s" } });
    const bytes = await readFile(whole);
    await writeFile(join(dir, "cut.h5"), bytes.subarray(0, Math.floor(bytes.length / 3)));
    let r = { code: 0, out: "", err: "" };
    const raw = await fd2(async () => void (r = await cli("segment", image, "--weights", join(dir, "cut.h5"), "--backend", "cpu")));
    expectOneLineError(r, /cut\.h5: cannot be opened as HDF5 \(HDF5: file has been truncated\)\n$/);
    expect(raw).toBe("");
  });

  it("convert into a folder that cannot exist returns at once instead of spinning", async () => {
    for (const out of ["/proc/fcn-viz-test/x.h5", "/proc/fcn-viz-test/x.safetensors", "/proc/fcn-viz-test/tfjs"]) {
      const r = await cli("convert", join(dir, "eleven.safetensors"), out);
      expectOneLineError(r, /cannot create folder \/proc\/fcn-viz-test/);
    }
  });
});

describe("the weaker messages, made clear", () => {
  const seg = (input: string) => cli("segment", input, "--weights", "random", "--width", "1/64", "--backend", "cpu");
  const npy = (header: string, data: Uint8Array) => {
    const dict = header + " ".repeat(118 - header.length - 10) + "\n";
    const b = new Uint8Array(10 + dict.length + data.length);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length & 0xff, dict.length >> 8]);
    b.set(new TextEncoder().encode(dict), 10);
    b.set(data, 10 + dict.length);
    return b;
  };

  it("Fortran-order and big-endian .npy arrays: the error names the file", async () => {
    await writeFile(join(dir, "fortran.npy"), npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2, 3), }", new Uint8Array(48)));
    expectOneLineError(await seg(join(dir, "fortran.npy")), /fortran\.npy: this \.npy array is stored in Fortran \(column-major\) order/);
    await writeFile(join(dir, "big.npy"), npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2, 3), }", new Uint8Array(48)));
    expectOneLineError(await seg(join(dir, "big.npy")), /big\.npy: big-endian \.npy dtype '>f4' is not supported/);
  });

  it("a truncated PNG says the file ends early, not pngjs's 'read requests waitng on finished stream'", async () => {
    const png = await readFile("sample-images/chelsea.png");
    await writeFile(join(dir, "cut.png"), png.subarray(0, Math.floor(png.length / 2)));
    const r = await seg(join(dir, "cut.png"));
    expectOneLineError(r, /cut\.png: corrupt or unsupported PNG: the file ends before the image data does \(a truncated download/);
    expect(r.err).not.toMatch(/waitng|finished stream/);
  });

  it("safetensors cut inside its header, or with a 2^62 header length: truncated / corrupt, not 'not a weights file'", async () => {
    const header = new TextEncoder().encode(JSON.stringify({ "a.weight": { dtype: "F32", shape: [1], data_offsets: [0, 4] } }));
    const file = (n: bigint, body: Uint8Array) => {
      const b = new Uint8Array(8 + body.length);
      new DataView(b.buffer).setBigUint64(0, n, true);
      b.set(body, 8);
      return b;
    };
    await writeFile(join(dir, "cut.safetensors"), file(BigInt(header.length), header.subarray(0, 20)));
    const cut = await cli("segment", "sample-images/chelsea.png", "--weights", join(dir, "cut.safetensors"), "--backend", "cpu");
    expectOneLineError(cut, new RegExp(`cut\\.safetensors is a truncated safetensors file: its header is ${header.length} bytes long but the file ends after 20 of them`));
    await writeFile(join(dir, "huge.safetensors"), file(2n ** 62n, header));
    const huge = await cli("convert", join(dir, "huge.safetensors"), join(dir, "x.safetensors"));
    expectOneLineError(huge, /huge\.safetensors is a corrupt safetensors file: its header length field says 4611686018427387904 bytes \(2\^62\)/);
  });

  it("raw EEXIST / ENOENT / EISDIR become sentences", async () => {
    expectOneLineError(await seg(join(dir, "missing.png")), /cannot read input ".*missing\.png": no such file/);
    expectOneLineError(await seg(dir), /cannot read input ".*": it is a folder/);
    for (const r of [await seg(dir), await seg(join(dir, "missing.png"))]) expect(r.err).not.toMatch(/ENOENT|EISDIR|EEXIST/);
  });
});

// Keep tfjs quiet about the tensors of the cases above.
tf.env().set("PROD", true);
