/**
 * `npm run bench`: forward time, GFLOP/s and peak RSS of the full-width FCN-8s in the
 * reference geometry (pad 100, ceil pools, crops) on every backend available, at
 * 224x224 and 500x500, with random weights. Each backend runs in its own process so
 * its peak RSS is its own. Writes bench/results/forward.json.
 *
 *   npm run bench                        # wasm, and webgpu if a hardware GPU adapter exists
 *   npm run bench -- --backends cpu,wasm,webgpu --sizes 224,500 --runs 3
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { useBackend, maxBufferBytes } from "../src/backends/index.js";
import { randomModel } from "../src/model.js";

interface Result {
  backend: string;
  detail: string;
  size: number;
  runs: number;
  medianMs: number;
  minMs: number;
  gflop: number;
  gflopPerS: number;
  peakRssMB: number;
  loadMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One backend, all sizes, in this process. */
async function child(backend: string, sizes: number[], runs: number): Promise<Result[]> {
  const info = await useBackend(backend);
  tf.enableProdMode();
  const t0 = performance.now();
  const model = randomModel("fcn8s", { seed: 1, maxBufferBytes: maxBufferBytes() });
  const loadMs = performance.now() - t0;
  const results: Result[] = [];
  for (const size of sizes) {
    const input = tf.randomUniform([1, size, size, 3], -120, 120, "float32", 1) as tf.Tensor4D;
    const pass = async () => {
      const s = performance.now();
      const { score } = model.forward(input);
      await score!.data();
      score!.dispose();
      return performance.now() - s;
    };
    await pass(); // warm-up: shader compilation, weight upload, allocator growth
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await pass());
    input.dispose();
    const gflop = (2 * model.summary(size, size).totalMacs) / 1e9;
    const ms = median(times);
    results.push({
      backend: info.name,
      detail: info.reason,
      size,
      runs,
      medianMs: Math.round(ms),
      minMs: Math.round(Math.min(...times)),
      gflop: Math.round(gflop * 10) / 10,
      gflopPerS: Math.round((gflop / (ms / 1000)) * 10) / 10,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      loadMs: Math.round(loadMs),
    });
    process.stderr.write(`  ${info.name} ${size}x${size}: ${(ms / 1000).toFixed(2)} s median of ${runs}\n`);
  }
  model.dispose();
  return results;
}

async function main() {
  const { values } = parseArgs({
    options: {
      backends: { type: "string" },
      sizes: { type: "string", default: "224,500" },
      runs: { type: "string", default: "3" },
      child: { type: "string" },
      out: { type: "string", default: "bench/results/forward.json" },
    },
  });
  const sizes = values.sizes!.split(",").map(Number);
  const runs = Number(values.runs);
  if (values.child) {
    process.stdout.write(JSON.stringify(await child(values.child, sizes, runs)));
    return;
  }
  let backends = values.backends?.split(",");
  if (!backends) {
    // By default: WASM, and WebGPU only on a real GPU (a software adapter takes minutes).
    const auto = await useBackend("auto");
    backends = auto.name === "webgpu" ? ["wasm", "webgpu"] : ["wasm"];
    if (auto.name !== "webgpu") process.stderr.write(`no GPU adapter (${auto.reason}); --backends cpu,wasm,webgpu measures the others\n`);
  }
  const all: Result[] = [];
  for (const backend of backends) {
    process.stderr.write(`${backend}: full-width FCN-8s (134.5M parameters), random weights...\n`);
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", backend, "--sizes", values.sizes!, "--runs", values.runs!], {
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 1 << 20,
      });
      all.push(...(JSON.parse(out.toString()) as Result[]));
    } catch {
      process.stderr.write(`  ${backend}: not available here (see the message above)\n`);
    }
  }
  const rows = all.map((r) =>
    `${r.backend.padEnd(7)} ${`${r.size}x${r.size}`.padEnd(8)} ${(r.medianMs / 1000).toFixed(2).padStart(7)} s ${r.gflop.toFixed(1).padStart(6)} GFLOP ${r.gflopPerS.toFixed(1).padStart(6)} GFLOP/s ${String(r.peakRssMB).padStart(6)} MB peak RSS`,
  );
  process.stdout.write(["backend size     median    work       speed        memory", ...rows, ""].join("\n"));
  mkdirSync(new URL(".", `file://${process.cwd()}/${values.out}`), { recursive: true });
  writeFileSync(values.out!, JSON.stringify({ date: new Date().toISOString(), machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30) }, node: process.version, results: all }, null, 2) + "\n");
  process.stdout.write(`wrote ${values.out}\n`);
}

await main();
