/**
 * Threaded WASM in Node: useBackend("wasm") starts tfjs's threaded-SIMD build with a thread
 * per core, computes what cpu computes, and does not keep Node alive afterwards.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeBackend, useBackend } from "../src/backends/index.js";
import { MAX_WASM_THREADS } from "../src/backends/wasm-threads.js";
import { randomArray, relError } from "./support/random.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CORES = Math.min(MAX_WASM_THREADS, os.availableParallelism());
const ONE_CORE = CORES < 2 ? `this machine has ${os.availableParallelism()} core: nothing to thread` : null;

// Large enough that XNNPACK splits every op across the pool; odd sizes so edges matter.
const X = { shape: [1, 45, 51, 32] as const, data: randomArray(45 * 51 * 32, 11) };
const F1 = { shape: [3, 3, 32, 48] as const, data: randomArray(3 * 3 * 32 * 48, 12, 0.2) };
const F2 = { shape: [4, 4, 24, 48] as const, data: randomArray(4 * 4 * 24 * 48, 13, 0.2) }; // [kH, kW, out, in]
const W = { shape: [24, 21] as const, data: randomArray(24 * 21, 14, 0.3) };

/** conv 3x3 'same' -> relu -> maxPool 3x3/2 'same' -> conv2dTranspose 4x4/2 -> 1x1 as matMul. */
async function net(): Promise<{ shape: number[]; data: Float32Array }> {
  const y = tf.tidy(() => {
    const x = tf.tensor4d(X.data, [...X.shape]);
    const c = tf.relu(tf.conv2d(x, tf.tensor4d(F1.data, [...F1.shape]), 1, "same")); // 1x45x51x48
    const p = tf.maxPool(c, 3, 2, "same"); // 1x23x26x48
    const [, h, w] = p.shape;
    const up = tf.conv2dTranspose(p, tf.tensor4d(F2.data, [...F2.shape]), [1, (h - 1) * 2 + 4, (w - 1) * 2 + 4, 24], 2, "valid");
    const flat = tf.reshape(up, [-1, 24]);
    return tf.reshape(tf.matMul(flat, tf.tensor2d(W.data, [...W.shape])), [...up.shape.slice(0, 3), 21]);
  });
  const data = (await y.data()) as Float32Array;
  const shape = y.shape;
  y.dispose();
  return { shape, data };
}

let reference: { shape: number[]; data: Float32Array };

beforeAll(async () => {
  // The default (a thread per core) is under test, not a user's override.
  delete process.env.FCN_VIZ_WASM_THREADS;
  await useBackend("cpu");
  reference = await net();
  expect(reference.shape).toEqual([1, 48, 54, 21]);
});

afterAll(async () => {
  await useBackend("cpu");
  expect(tf.getBackend()).toBe("cpu");
});

describe("threaded WASM in Node", () => {
  it("starts with a thread per core and says so", async (ctx) => {
    if (ONE_CORE) ctx.skip(ONE_CORE);
    const lines: string[] = [];
    const info = await useBackend("wasm", { log: (l) => lines.push(l) });
    console.log(`wasm: ${describeBackend()}; reason: ${info.reason}`);
    expect(info).toEqual({ name: "wasm", requested: "wasm", reason: "requested" }); // no fallback note
    expect(describeBackend()).toBe(`wasm (SIMD, ${CORES} threads)`);
    expect(CORES).toBeGreaterThanOrEqual(2);
    expect(lines).toContain(`wasm: threaded-SIMD build, ${CORES} XNNPACK threads`);
    expect(tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")).toBe(true);
    // A second start keeps the running backend and tells the same.
    await useBackend("cpu");
    const again = await useBackend("wasm");
    expect(again.reason).toBe("requested");
    expect(describeBackend()).toBe(`wasm (SIMD, ${CORES} threads)`);
  });

  it("conv2d + maxPool + conv2dTranspose + matMul agree with cpu", async (ctx) => {
    if (ONE_CORE) ctx.skip(ONE_CORE);
    await useBackend("wasm");
    expect(describeBackend()).toBe(`wasm (SIMD, ${CORES} threads)`);
    const got = await net();
    expect(got.shape).toEqual(reference.shape);
    expect(relError(got.data, reference.data)).toBeLessThan(1e-4);

    // Informational: CPU time over wall time of one large conv (about the thread count when
    // the cores are free; other jobs on the machine lower it, so it is not asserted).
    const x = tf.randomNormal([1, 64, 64, 128], 0, 1, "float32", 1);
    const f = tf.randomNormal([3, 3, 128, 128], 0, 0.1, "float32", 2);
    const conv = () => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same");
    const warm = conv();
    await warm.data(); // XNNPACK creates its operator at the first call
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const y = conv();
    await y.data();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(`conv 1x64x64x128 * 3x3x128x128: ${wall.toFixed(0)} ms, cpu/wall ${((cpu.user + cpu.system) / 1000 / wall).toFixed(2)}`);
    tf.dispose([x, f, warm, y]);
  });

  it("does not keep Node alive: a script that used the threaded backend exits by itself", async (ctx) => {
    if (ONE_CORE) ctx.skip(ONE_CORE);
    // Node 20 cannot run the TypeScript source: transpile wasm-threads.ts (no relative
    // imports) next to node_modules, and drive it the way backends/wasm.ts does.
    const cache = path.join(ROOT, "node_modules", ".cache");
    fs.mkdirSync(cache, { recursive: true });
    const dir = fs.mkdtempSync(path.join(cache, "fcn-viz-wasm-threads-"));
    try {
      const source = fs.readFileSync(path.join(ROOT, "src", "backends", "wasm-threads.ts"), "utf8");
      const js = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      fs.writeFileSync(path.join(dir, "wasm-threads.mjs"), js);
      fs.writeFileSync(
        path.join(dir, "main.mjs"),
        `
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import * as path from "node:path";
import { prepareThreadedWasm } from "./wasm-threads.mjs";
tf.env().set("PROD", true);
const where = path.dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")) + path.sep;
wasm.setWasmPaths(where);
const attempt = await prepareThreadedWasm(wasm, tf.env(), ${CORES}, { wasmDir: where });
const ok = await Promise.race([tf.setBackend("wasm"), attempt.failed]);
if (!ok) throw new Error("setBackend returned false");
attempt.commit();
const y = tf.conv2d(tf.ones([1, 32, 32, 16]), tf.ones([3, 3, 16, 16]), 1, "same");
console.log(JSON.stringify({ threads: wasm.getThreadsCount(), center: (await y.data())[16 * 32 * 16 + 16 * 16] }));
`,
      );
      const result = await new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve, reject) => {
        const t0 = performance.now();
        const child = spawn(process.execPath, [path.join(dir, "main.mjs")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`the script did not exit within 60 s (a pthread keeps Node alive?); stdout: ${out}; stderr: ${err}`));
        }, 60_000);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ code, out, err, ms: performance.now() - t0 });
        });
      });
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out)).toEqual({ threads: CORES, center: 3 * 3 * 16 });
      console.log(`child with ${CORES} threads ran and exited in ${result.ms.toFixed(0)} ms`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
