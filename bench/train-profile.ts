/**
 * `npm run bench:train`: where a training step's time goes. For the classifier and an
 * FCN stage at a given width it runs a few real steps (the trainer's forward, loss,
 * gradients and Adam on real batches), then profiles one step kernel by kernel
 * (tf.profile; wasm kernels are synchronous, so their wall time is their time) and
 * the forward pass alone. Per kernel: calls, milliseconds, GFLOP and GFLOP/s (for the
 * convolution and matrix kernels); the step split into forward, backward and what no
 * kernel accounts for (JS loops: the max-pool gradient, im2col, batch making).
 * Writes models/training-profile.json, which the model card's Training section reads
 * (`fcn-viz train evaluate` rewrites the card).
 *
 *   npm run bench:train                                  # the default preset's width
 *   npm run bench:train -- --widths 3/64,7/64 --steps 4 --threads 2
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, useBackend } from "../src/backends/index.js";
import { registerWasmTrainingKernels } from "../src/train/wasm-kernels.js";
import { PRESETS, type PipelineConfig } from "../src/train/config.js";
import { classifierSpec, digitSource, fcnSpec } from "../src/train/stages.js";
import { randomParams } from "../src/net/init.js";
import { classifierImage, segScene } from "../src/data/scenes.js";
import { inputBatch, labelBatch } from "../src/train/batch.js";
import { trainForward } from "../src/train/forward.js";
import { classCrossEntropy, pixelCrossEntropy } from "../src/train/loss.js";
import { Adam } from "../src/train/adam.js";
import type { NetSpec } from "../src/net/spec.js";

export interface KernelRow {
  kernel: string;
  calls: number;
  ms: number;
  gflop: number;
  gflopPerS: number | null;
}

export interface StepProfile {
  stage: "classifier" | "fcn8s";
  width: number;
  batch: number;
  inputSide: number;
  /** Median wall time of a whole step (batch making included), ms. */
  stepMs: number;
  /** Kernel time of the forward pass (loss included) and of the backward pass (Adam's update counted with it), ms. */
  forwardMs: number;
  backwardMs: number;
  /** Step time no kernel accounts for (JS: batch, max-pool gradient loop, im2col fill, Adam's bookkeeping). */
  outsideKernelsMs: number;
  gflopPerStep: number;
  kernels: KernelRow[];
}

/** Multiply-adds x 2 of the kernels that do the arithmetic; 0 for the rest. */
function kernelFlops(name: string, inputs: tf.TensorInfo[], out: readonly number[]): number {
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  switch (name) {
    case "Conv2D":
    case "FusedConv2D": {
      const f = inputs[1]!.shape; // [kh, kw, ci, co]
      return 2 * prod(out) * f[0]! * f[1]! * f[2]!;
    }
    case "Conv2DBackpropFilter": {
      const dy = inputs[1]!.shape; // [b, ho, wo, co]
      return 2 * prod(dy) * out[0]! * out[1]! * out[2]!;
    }
    case "BatchMatMul":
    case "_FusedMatMul": {
      const a = inputs[0]!.shape;
      return 2 * prod(out) * a[a.length - 1]!;
    }
    default:
      return 0;
  }
}

/**
 * Times every wasm kernel by wrapping its registered function. A kernel that calls
 * another (Conv2DBackpropFilter calls BatchMatMul) is charged the whole time and FLOPs
 * of both; time is booked to the phase running: forward or backward.
 */
class KernelClock {
  phase: "forward" | "backward" = "forward";
  on = false;
  readonly rows = new Map<string, { calls: number; ms: number; gflop: number }>();
  readonly phaseMs = { forward: 0, backward: 0 };
  private depth = 0;

  install(): void {
    for (const k of tf.getKernelsForBackend("wasm")) {
      const inner = k.kernelFunc;
      tf.unregisterKernel(k.kernelName, "wasm");
      tf.registerKernel({
        ...k,
        kernelFunc: ((args: { inputs: tf.NamedTensorInfoMap }) => {
          if (!this.on) return inner(args as never);
          this.depth++;
          const t0 = performance.now();
          let out: tf.TensorInfo | tf.TensorInfo[];
          try {
            out = inner(args as never) as tf.TensorInfo | tf.TensorInfo[];
          } finally {
            this.depth--;
          }
          // Nested calls (Conv2DBackpropFilter's GEMMs) stay in the caller's time and FLOPs.
          if (this.depth > 0) return out;
          const own = performance.now() - t0;
          const first = Array.isArray(out) ? out[0]! : out;
          const row = this.rows.get(k.kernelName) ?? { calls: 0, ms: 0, gflop: 0 };
          row.calls++;
          row.ms += own;
          row.gflop += kernelFlops(k.kernelName, Object.values(args.inputs) as tf.TensorInfo[], first.shape) / 1e9;
          this.rows.set(k.kernelName, row);
          this.phaseMs[this.phase] += own;
          return out;
        }) as tf.KernelFunc,
      });
    }
  }

  reset(): void {
    this.rows.clear();
    this.phaseMs.forward = 0;
    this.phaseMs.backward = 0;
  }
}

const clock = new KernelClock();

function spec(config: PipelineConfig, stage: "classifier" | "fcn8s"): NetSpec {
  return stage === "classifier" ? classifierSpec(config) : fcnSpec(config, "fcn8s");
}

async function profileStage(config: PipelineConfig, stage: "classifier" | "fcn8s", steps: number): Promise<StepProfile> {
  const src = digitSource(config.seed);
  const net = spec(config, stage);
  const B = stage === "classifier" ? config.classifier.batch : config.fcn.batch;
  const init = randomParams(net, 1);
  const vars = new Map([...init].map(([name, t]) => [name, tf.variable(t, true, `profile-${stage}-${config.width}/${name}`)]));
  init.forEach((t) => t.dispose());
  const adam = new Adam(vars, { weightDecay: config.weightDecay });
  const makeBatch = (step: number) => {
    if (stage === "classifier") {
      const imgs = Array.from({ length: B }, (_, i) => classifierImage(src, "train", step * B + i, config.classifier.images));
      return { input: inputBatch(imgs), target: tf.tensor1d(imgs.map((x) => x.label), "int32") as tf.Tensor };
    }
    const scenes = Array.from({ length: B }, (_, i) => segScene(src, "train", step * B + i, config.scenes));
    return { input: inputBatch(scenes), target: labelBatch(scenes) as tf.Tensor };
  };
  const lossOf = (input: tf.Tensor4D, target: tf.Tensor) => {
    clock.phase = "forward";
    const out = trainForward(net, vars, input, {})[net.output]!;
    const loss = stage === "classifier" ? classCrossEntropy(out, target as tf.Tensor1D) : pixelCrossEntropy(out, target as tf.Tensor3D);
    clock.phase = "backward";
    return loss;
  };
  const step = async (k: number) => {
    const batch = makeBatch(k);
    const { value, grads } = tf.variableGrads(() => lossOf(batch.input, batch.target));
    adam.apply(new Map(Object.entries(grads).map(([v, g]) => [v.split("/").slice(1).join("/"), g])), 1e-4);
    await value.data();
    tf.dispose([value, ...Object.values(grads), batch.input, batch.target]);
  };
  // Warm-up (kernel set-up, XNNPACK caches), then timed steps.
  await step(0);
  const times: number[] = [];
  for (let k = 1; k <= steps; k++) {
    const t0 = performance.now();
    await step(k);
    times.push(performance.now() - t0);
  }
  const stepMs = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  clock.reset();
  clock.on = true;
  const t0 = performance.now();
  await step(steps + 1);
  const profiledMs = performance.now() - t0;
  clock.on = false;
  adam.dispose();
  vars.forEach((v) => v.dispose());

  let kernelMs = 0;
  let gflop = 0;
  for (const r of clock.rows.values()) {
    kernelMs += r.ms;
    gflop += r.gflop;
  }
  const kernels = [...clock.rows]
    .map(([kernel, r]) => ({ kernel, calls: r.calls, ms: +r.ms.toFixed(1), gflop: +r.gflop.toFixed(3), gflopPerS: r.gflop > 0 ? +(r.gflop / (r.ms / 1000)).toFixed(1) : null }))
    .sort((a, b) => b.ms - a.ms);
  const outside = Math.max(0, profiledMs - kernelMs);
  return {
    stage,
    width: config.width,
    batch: B,
    inputSide: stage === "classifier" ? config.classifier.images.size : config.scenes.size,
    stepMs: +stepMs.toFixed(0),
    forwardMs: +clock.phaseMs.forward.toFixed(0),
    backwardMs: +clock.phaseMs.backward.toFixed(0),
    outsideKernelsMs: +outside.toFixed(0),
    gflopPerStep: +gflop.toFixed(2),
    kernels,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      widths: { type: "string", default: String(PRESETS.default!.width) },
      stages: { type: "string", default: "classifier,fcn8s" },
      steps: { type: "string", default: "3" },
      threads: { type: "string" },
      out: { type: "string", default: "models/training-profile.json" },
    },
  });
  registerWasmTrainingKernels();
  await useBackend("wasm", values.threads ? { wasmThreads: Number(values.threads) } : {});
  clock.install();
  const results: StepProfile[] = [];
  for (const w of values.widths!.split(",")) {
    const width = w.includes("/") ? Number(w.split("/")[0]) / Number(w.split("/")[1]) : Number(w);
    const config: PipelineConfig = { ...PRESETS.default!, width };
    for (const stage of values.stages!.split(",") as ("classifier" | "fcn8s")[]) {
      const r = await profileStage(config, stage, Number(values.steps));
      results.push(r);
      const top = r.kernels.slice(0, 6).map((k) => `${k.kernel} ${k.ms.toFixed(0)} ms${k.gflopPerS ? ` (${k.gflopPerS} GFLOP/s)` : ""}`).join(", ");
      process.stdout.write(
        `${stage} width ${width.toFixed(4)} batch ${r.batch}: step ${r.stepMs} ms (forward ${r.forwardMs}, backward ${r.backwardMs}, outside kernels ${r.outsideKernelsMs}), ` +
          `${r.gflopPerStep} GFLOP, ${(r.gflopPerStep / (r.stepMs / 1000)).toFixed(1)} GFLOP/s overall\n  ${top}\n`,
      );
    }
  }
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, JSON.stringify({ backend: describeBackend(), cpus: cpus().length, cpu: cpus()[0]?.model ?? "", date: new Date().toISOString(), results }, null, 2) + "\n");
  process.stdout.write(`wrote ${values.out}\n`);
}

await main();
