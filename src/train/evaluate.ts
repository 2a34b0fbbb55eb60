/**
 * Stage 4: every FCN scored on the test scenes with the paper's four metrics (the
 * confusion matrix and metrics of core/metrics.ts, i.e. score.py), from the shipped
 * weight files as a user would load them, and the model card written from the results.
 *
 * Two sets of figures: on `testScenes` test scenes (the card's table), and on the first
 * `ciScenes` of them, with their confusion matrices, which CI recomputes and must match
 * exactly (test/trained-weights.test.ts).
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/files.js";
import { segScene, type SegScene } from "../data/scenes.js";
import { modelFromWeights, withBilinear } from "../load.js";
import { readWeights } from "../weights/index.js";
import { FCN_STAGES, type PipelineConfig } from "./config.js";
import { progressLine } from "./progress.js";
import { writeModelCard } from "./card.js";
import type { Results } from "./results.js";
import { evaluateOnScenes, type SegEvaluation } from "./scoring.js";
import { classifierAccuracy, classifierSpec, digitSource, FCN_STAGE_DEFS, readReport, weightsPath, type PipelineContext } from "./stages.js";
import { renderExamples, writeSampleScenes } from "./figures.js";

export { evaluateOnScenes, predictLabels, type MetricFigures, type SegEvaluation } from "./scoring.js";
export type { Results } from "./results.js";

/** Test scene k for a configuration (the same scenes CI and the card use). */
export function testScene(config: PipelineConfig, k: number): SegScene {
  return segScene(digitSource(config.seed), "test", k, config.scenes);
}

/**
 * Scene k of shifted test set `set` (config.evaluation.beyond[set]): test digits, with
 * indices far from the in-distribution ones so that no layout is shared with them.
 */
export function beyondScene(config: PipelineConfig, set: number, k: number): SegScene {
  return segScene(digitSource(config.seed), "test", 1_000_000 * (set + 1) + k, config.evaluation.beyond[set]!.scenes);
}

export async function runEvaluate(ctx: PipelineContext): Promise<Results> {
  const { config } = ctx;
  const t0 = performance.now();
  const src = digitSource(config.seed);

  const clsFile = await readWeights(weightsPath(ctx, "classifier"));
  const clsParams = withBilinear(clsFile, classifierSpec(config));
  const testDigits = Math.min(config.classifier.testImages, src.splits.test.length);
  const testAccuracy = await classifierAccuracy(classifierSpec(config), clsParams, src, config, testDigits);
  const ciAccuracy = await classifierAccuracy(classifierSpec(config), clsParams, src, config, config.evaluation.ciDigits);
  ctx.log(`classifier: ${(100 * testAccuracy).toFixed(2)}% on ${testDigits} held-out digits (${(100 * ciAccuracy).toFixed(2)}% on the first ${config.evaluation.ciDigits})`);

  const models: Results["models"] = {};
  for (const stage of FCN_STAGES) {
    const path = weightsPath(ctx, stage);
    if (!existsSync(path)) {
      ctx.log(`${stage}: no weights (${path}); skipped`);
      continue;
    }
    const model = modelFromWeights(FCN_STAGE_DEFS[stage].model, await readWeights(path));
    try {
      const n = config.evaluation.testScenes;
      const bar = progressLine(`evaluate ${stage}`, n);
      const { all, prefix } = await evaluateOnScenes(model, (k) => testScene(config, k), n, config.evaluation.ciScenes, (k) => bar.update(k + 1, {}));
      bar.done(`${n} test scenes`);
      const m = all.metrics;
      ctx.log(
        `${stage.padEnd(26)} pixel acc ${pct(m.pixelAccuracy)}  mean acc ${pct(m.meanAccuracy)}  mean IU ${pct(m.meanIU)}  f.w. IU ${pct(m.frequencyWeightedIU)}`,
      );
      const beyond: Record<string, SegEvaluation> = {};
      const beyondCi: Record<string, SegEvaluation> = {};
      for (const [i, set] of config.evaluation.beyond.entries()) {
        const shifted = progressLine(`evaluate ${stage}, ${set.name}`, set.count);
        const e = await evaluateOnScenes(model, (k) => beyondScene(config, i, k), set.count, config.evaluation.ciScenes, (k) => shifted.update(k + 1, {}));
        beyond[set.name] = e.all;
        beyondCi[set.name] = e.prefix;
        shifted.done(`mean IU ${pct(e.all.metrics.meanIU)}`);
      }
      models[stage] = { test: all, ci: prefix, beyond, beyondCi, report: await readReport(ctx, stage), bytes: statSync(path).size };
    } finally {
      model.dispose();
    }
  }
  const results: Results = {
    config,
    preset: config.preset,
    seed: config.seed,
    width: config.width,
    backend: ctx.backend,
    dtype: config.dtype,
    scenes: config.scenes,
    digits: { train: src.splits.train.length, val: src.splits.val.length, test: src.splits.test.length },
    classifier: {
      testAccuracy,
      testDigits,
      ciAccuracy,
      ciDigits: config.evaluation.ciDigits,
      report: await readReport(ctx, "classifier"),
      bytes: statSync(weightsPath(ctx, "classifier")).size,
    },
    models,
    heatmapClasses: await heatmapClasses(ctx),
    evaluatedAt: new Date().toISOString(),
    evaluationSeconds: Math.round((performance.now() - t0) / 1000),
  };
  await writeFileAtomic(join(ctx.modelsDir, "results.json"), JSON.stringify(results, null, 1) + "\n");
  await renderExamples(ctx, (k) => testScene(config, k));
  await writeSampleScenes(ctx, (k) => testScene(config, k));
  await writeModelCard(ctx, results);
  ctx.log(`wrote ${join(ctx.modelsDir, "results.json")} and ${join(ctx.modelsDir, "README.md")}`);
  return results;
}

async function heatmapClasses(ctx: PipelineContext): Promise<number[] | null> {
  const p = join(ctx.workDir, "reports", "heatmap.json");
  if (!existsSync(p)) return null;
  const r = JSON.parse(await readFile(p, "utf8")) as { digits: { label: number }[] };
  return [...new Set(r.digits.map((d) => d.label))];
}

export function pct(x: number): string {
  return (100 * x).toFixed(1).padStart(5);
}
