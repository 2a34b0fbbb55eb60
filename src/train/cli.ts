/**
 * `fcn-viz train <stage>`: one pipeline stage per command, each resumable (rerun the
 * same command after an interruption), each writing its weights under models/.
 *
 *   fcn-viz train classifier | heatmap | fcn32s-fixed | fcn32s | fcn16s | fcn8s |
 *                 fcn8s-learned-upsampling | evaluate | all
 *       [--preset default|full|smoke] [--set classifier.steps=800 ...]
 *       [--work out/train] [--models models] [--backend wasm]
 */
import { parseArgs } from "node:util";
import { describeBackend, useBackend } from "../backends/index.js";
import { registerWasmTrainingKernels } from "./wasm-kernels.js";
import { PRESETS, STAGES, type PipelineConfig, type Stage } from "./config.js";
import { isFcnStage, runClassifier, runFcnStage, type PipelineContext } from "./stages.js";

export const TRAIN_USAGE = `fcn-viz train STAGE [--preset default|full|smoke] [--set key=value ...]
                  [--work out/train] [--models models] [--backend wasm] [--threads N]
    STAGE: ${STAGES.join(", ")}, or all (every stage in order)
    --set overrides one setting of the preset, e.g. --set width=0.125 --set fcn.stages.fcn32s.steps=900
    Each stage resumes from its checkpoint when rerun; weights go to --models.
    --threads: wasm threads (default: one per core). On a machine whose cores are busy with
    other work, 1 is faster: XNNPACK's threads wait for each other (measured 2.5x).`;

/** Applies `a.b.c=value` to a copy of the config (numbers and JSON parsed). */
export function withOverrides(config: PipelineConfig, sets: readonly string[]): PipelineConfig {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq < 0) throw new Error(`--set wants key=value, got "${s}"`);
    const path = s.slice(0, eq).split(".");
    const text = s.slice(eq + 1);
    let value: unknown;
    if (/^-?\d+(\.\d+)?(e-?\d+)?\/\d+$/.test(text)) value = Number(text.split("/")[0]) / Number(text.split("/")[1]);
    else {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    }
    let node = copy;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) throw new Error(`--set ${s}: no setting "${path.join(".")}"`);
      node = node[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (!(last in node)) throw new Error(`--set ${s}: no setting "${path.join(".")}"`);
    if (typeof node[last] !== typeof value) throw new Error(`--set ${s}: "${path.join(".")}" is a ${typeof node[last]}, got ${JSON.stringify(value)}`);
    node[last] = value;
  }
  return copy as unknown as PipelineConfig;
}

export async function trainCommand(args: string[], log: (line: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      preset: { type: "string", default: "default" },
      set: { type: "string", multiple: true, default: [] },
      work: { type: "string", default: "out/train" },
      models: { type: "string", default: "models" },
      backend: { type: "string", default: "wasm" },
      threads: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(TRAIN_USAGE + "\n");
    return;
  }
  const [stage] = positionals;
  if (!stage || !([...STAGES, "all"] as string[]).includes(stage)) {
    throw new Error(`train needs a STAGE${stage ? ` (not "${stage}")` : ""}\n\n${TRAIN_USAGE}`);
  }
  const preset = PRESETS[values.preset!];
  if (!preset) throw new Error(`unknown --preset "${values.preset}": choose ${Object.keys(PRESETS).join(", ")}`);
  const config = withOverrides(preset, values.set!);
  registerWasmTrainingKernels();
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new Error(`--threads must be a whole number >= 1, got "${values.threads}"`);
  const backend = await useBackend(values.backend!, threads === undefined ? {} : { wasmThreads: threads });
  log(`backend: ${describeBackend()}: ${backend.reason}`);
  const ctx: PipelineContext = { config, workDir: values.work!, modelsDir: values.models!, backend: describeBackend(), log };
  const stages = stage === "all" ? STAGES : [stage as Stage];
  for (const s of stages) await runStage(ctx, s);
}

export async function runStage(ctx: PipelineContext, stage: Stage): Promise<void> {
  if (stage === "classifier") await runClassifier(ctx);
  else if (isFcnStage(stage)) await runFcnStage(ctx, stage);
  else if (stage === "heatmap") {
    const { runHeatmap } = await import("./heatmap.js");
    await runHeatmap(ctx);
  } else if (stage === "evaluate") {
    const { runEvaluate } = await import("./evaluate.js");
    await runEvaluate(ctx);
  }
}
