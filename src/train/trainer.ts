/**
 * The training loop shared by every stage: variables from initial parameters, Adam on
 * the trainable ones, a loss per step from a deterministic batch, checkpoints that hold
 * everything needed to resume (parameters, Adam's moments, the step, the loss history),
 * and a progress line.
 *
 * Resuming: a checkpoint made with the same configuration (its `key`) is picked up
 * and training continues at its step. Batches and dropout masks are functions of the
 * step, so a resumed run sees exactly the data an uninterrupted one would have.
 */
import { existsSync } from "node:fs";
import { ensureDir } from "../io/files.js";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { NetSpec } from "../net/spec.js";
import { paramSpecs } from "../net/params.js";
import { readSafetensorsRaw, writeSafetensorsRaw } from "../weights/files.js";
import type { HostParams } from "../weights/types.js";
import { fromTensors } from "../weights/tensors.js";
import { Adam } from "./adam.js";
import { trainForward } from "./forward.js";
import { progressLine } from "./progress.js";

export interface Batch {
  readonly input: tf.Tensor4D;
  /** Whatever the loss compares the output with (labels). */
  readonly target: tf.Tensor;
}

export interface TrainTask {
  /** Shown in the progress line and stored in the checkpoint. */
  readonly label: string;
  readonly spec: NetSpec;
  /** Starting parameters (tfjs layout), every parameter of the spec. */
  readonly init: HostParams;
  /** Which parameters learn; the others stay as initialized. */
  readonly trainable: (name: string) => boolean;
  /** Upsampling layers that do not learn (their filter gradient is skipped). */
  readonly fixedUpsampling: ReadonlySet<string>;
  readonly dropout: number;
  readonly steps: number;
  /** Learning rate at a step (0-based). */
  readonly lr: (step: number) => number;
  /** Per-parameter factor on the learning rate (Caffe's lr_mult); default 1. */
  readonly lrMultiplier?: (name: string) => number;
  readonly weightDecay: number;
  /** The batch of a step: must depend on the step only. Its tensors are disposed after use. */
  readonly batch: (step: number) => Batch;
  readonly loss: (output: tf.Tensor4D, target: tf.Tensor) => tf.Scalar;
  /** Checkpoint file (resumed from when it matches `key`), written every checkpointEvery steps. */
  readonly checkpoint: string;
  readonly checkpointEvery: number;
  /** Identifies the configuration: a checkpoint with another key is not resumed. */
  readonly key: string;
  /** Seed of the dropout masks. */
  readonly seed: number;
  /** Called with each step's loss (after the step). */
  readonly onStep?: (step: number, loss: number) => void;
  /** Stop after this many steps in this call (the checkpoint is written): for tests. */
  readonly maxStepsThisRun?: number;
}

export interface TrainResult {
  readonly params: HostParams;
  /** Loss of every step from 0, including steps done before a resume. */
  readonly losses: number[];
  /** Seconds spent training, summed over resumes. */
  readonly seconds: number;
  readonly steps: number;
  readonly resumedFrom: number;
  /** False when stopped early by maxStepsThisRun. */
  readonly complete: boolean;
}

interface CheckpointMeta {
  key: string;
  label: string;
  step: number;
  losses: number[];
  seconds: number;
}

const META_KEY = "fcn_viz.checkpoint";

async function readCheckpoint(file: string, key: string): Promise<{ meta: CheckpointMeta; tensors: Map<string, { shape: readonly number[]; data: Float32Array }> } | null> {
  if (!existsSync(file)) return null;
  const raw = await readSafetensorsRaw(file);
  const text = raw.metadata[META_KEY];
  if (!text) return null;
  const meta = JSON.parse(text) as CheckpointMeta;
  if (meta.key !== key) return null;
  return { meta, tensors: raw.tensors };
}

async function writeCheckpoint(file: string, meta: CheckpointMeta, params: HostParams, adam: HostParams): Promise<void> {
  await ensureDir(dirname(file));
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [k, v] of params) tensors.set(`param.${k}`, v);
  for (const [k, v] of adam) tensors.set(k, v);
  // writeSafetensorsRaw writes atomically (temp file + rename): a kill mid-write leaves the last good one.
  await writeSafetensorsRaw(file, tensors, { [META_KEY]: JSON.stringify(meta) });
}

let variableCounter = 0;

export async function train(task: TrainTask): Promise<TrainResult> {
  const names = paramSpecs(task.spec).map((p) => p.name);
  const missing = names.filter((n) => !task.init.has(n));
  if (missing.length) throw new Error(`${task.label}: initial parameters lack ${missing.join(", ")}`);

  const resumed = await readCheckpoint(task.checkpoint, task.key);
  const start = resumed ? resumed.meta.step : 0;
  const losses = resumed ? [...resumed.meta.losses] : [];
  let seconds = resumed ? resumed.meta.seconds : 0;

  // Unique variable names: tfjs keeps one global registry, and several nets may coexist.
  const run = ++variableCounter;
  const vars = new Map<string, tf.Variable>();
  for (const name of names) {
    const src = resumed ? resumed.tensors.get(`param.${name}`) : task.init.get(name);
    if (!src) throw new Error(`${task.checkpoint}: checkpoint lacks param.${name}`);
    const t = tf.tensor(src.data, [...src.shape]);
    vars.set(name, tf.variable(t, task.trainable(name), `${task.label}#${run}/${name}`));
    t.dispose();
  }
  const learning = new Map([...vars].filter(([n]) => task.trainable(n)));
  if (learning.size === 0) throw new Error(`${task.label}: no parameter is trainable`);
  const byVariable = new Map([...learning].map(([n, v]) => [v.name, n]));
  const adam = new Adam(learning, { weightDecay: task.weightDecay });
  if (resumed) adam.load(resumed.tensors, start);

  const progress = progressLine(task.label, task.steps, { start });
  if (resumed) process.stderr.write(`${task.label}: resuming from step ${start} (${task.checkpoint})\n`);
  const end = Math.min(task.steps, start + (task.maxStepsThisRun ?? Infinity));
  let t0 = performance.now();
  const save = async (step: number) => {
    seconds += (performance.now() - t0) / 1000;
    t0 = performance.now();
    await writeCheckpoint(task.checkpoint, { key: task.key, label: task.label, step, losses, seconds }, await fromTensors(vars), await adam.state());
    t0 = performance.now();
  };
  try {
    for (let step = start; step < end; step++) {
      const batch = task.batch(step);
      let lossValue: number;
      try {
        const { value, grads } = tf.variableGrads(() => {
          const out = trainForward(task.spec, vars, batch.input, { dropout: task.dropout, seed: task.seed * 1_000_003 + step, fixedUpsampling: task.fixedUpsampling });
          return task.loss(out[task.spec.output]!, batch.target);
        }, [...learning.values()]);
        const named = new Map(Object.entries(grads).map(([v, g]) => [byVariable.get(v)!, g]));
        adam.apply(named, task.lr(step), task.lrMultiplier);
        lossValue = (await value.data())[0]!;
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        tf.dispose([batch.input, batch.target]);
      }
      if (!Number.isFinite(lossValue)) throw new Error(`${task.label}: the loss became ${lossValue} at step ${step}; lower the learning rate`);
      losses.push(lossValue);
      task.onStep?.(step, lossValue);
      const recent = losses.slice(-20);
      progress.update(step + 1, { loss: (recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4), lr: task.lr(step).toExponential(1) });
      if ((step + 1) % task.checkpointEvery === 0 && step + 1 < end) await save(step + 1);
    }
    await save(end);
    const params = await fromTensors(vars);
    const head = losses.slice(0, 20);
    const tail = losses.slice(-20);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    progress.done(`${end} steps, loss ${mean(head).toFixed(4)} (first 20) -> ${mean(tail).toFixed(4)} (last 20), ${seconds.toFixed(0)} s`);
    return { params, losses, seconds, steps: end, resumedFrom: start, complete: end === task.steps };
  } finally {
    adam.dispose();
    vars.forEach((v) => v.dispose());
  }
}
