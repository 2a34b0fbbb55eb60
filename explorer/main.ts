/**
 * The FCN explorer page: choose an image, a model and weights; run on WebGPU/WebGL/WASM;
 * see every stage (viz/ figures) and inspect any output pixel (its class scores, what
 * each stream contributes, its receptive field and stride cells).
 *
 * URL parameters (for links, the test and the benchmark): sample, model, weights
 * ("random", a project model's name, or "published:voc-fcn8s" for a published net in the
 * weights cache), width / classes / seed (random weights), backend, maxSide, maxTexture
 * (pretend the GPU's textures are this small),
 * plan=0 (skip the backend-limits check, to see tfjs fail without it on WebGL), webglConv=direct (tfjs's
 * experimental direct convolution: no im2col matrices, so larger inputs fit), autorun=0.
 */
import "./shims/buffer-global.js";
import * as tf from "@tensorflow/tfjs";
// Library modules by path (see pipeline.ts): src/index.ts also carries Node-only parts.
import { decodeImage } from "../src/io/image.js";
import { widthText } from "../src/vgg16.js";
import type { RgbImage } from "../src/model.js";
import { receptiveFields } from "../src/net/geometry.js";
import { countParams, paramSpecs } from "../src/net/params.js";
import { readWeightsBytes } from "../src/weights/bytes.js";
import { describeConfig, inferWeightsConfig } from "../src/weights/check.js";
import type { WeightsFile } from "../src/weights/types.js";
import type { Preprocess } from "../src/preprocess.js";
import { argmax, labelColors, type LabelColors } from "../viz/index.js";
import { fmtPos } from "../viz/components.js";
import { BACKEND_CHOICES, startBackend, type BackendChoice, type StartedBackend } from "./backends.js";
import { mismatchWarning, sampleOrigin, userImageOrigin, weightsOrigin, type ImageOrigin } from "./training-domain.js";
import { defaultClass, receptiveFieldStage, stageFigures, type StageFigure } from "./figures.js";
import { hoverInfo, type HoverInfo } from "./hover.js";
import { resizeRgb } from "./image.js";
import { webglLimits } from "./limits.js";
import { planInput, weightBytes, type InputPlan, type MemoryLimits } from "../src/net/memory.js";
import { memoryLimits } from "../src/backend.js";
import type { Manifest, ManifestModel, ManifestPublished } from "./manifest.js";
import { fetchBytes, progressText } from "./download.js";
import { formatBytes, isPublishedName, publishedWeights, sizeText, withPublishedMeta, type PublishedModel } from "../src/published/registry.js";
import { compileAhead, FCN_MODELS, headTaps, loadModel, runPass, type FcnModel, type LoadedModel, type PassResult, type WeightsChoice } from "./pipeline.js";

// ---------------------------------------------------------------------------------------
// DOM

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
};
const ui = {
  banner: $("banner"),
  sample: $<HTMLSelectElement>("sample"),
  imageFile: $<HTMLInputElement>("image-file"),
  model: $<HTMLSelectElement>("model"),
  weights: $<HTMLSelectElement>("weights"),
  weightsHint: $("weights-hint"),
  weightsFile: $<HTMLInputElement>("weights-file"),
  backend: $<HTMLSelectElement>("backend"),
  maxSide: $<HTMLSelectElement>("max-side"),
  run: $<HTMLButtonElement>("run"),
  stBackend: $("st-backend"),
  stWeights: $("st-weights"),
  stInput: $("st-input"),
  stTime: $("st-time"),
  message: $("message"),
  view: $<HTMLCanvasElement>("view"),
  marks: document.getElementById("marks") as unknown as SVGSVGElement,
  wrap: $("canvas-wrap"),
  busy: $("busy"),
  busyText: $("busy-text"),
  viewCaption: $("view-caption"),
  opacity: $<HTMLInputElement>("opacity"),
  legend: $("legend"),
  hover: $("hover"),
  figClass: $<HTMLSelectElement>("fig-class"),
  figures: $("figure-list"),
  dropzone: $("dropzone"),
};

const DISPLAY: Record<string, string> = { fcn32s: "FCN-32s", fcn16s: "FCN-16s", fcn8s: "FCN-8s" };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (v: number, d = 2) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(d));
const ms = (t: number) => (t >= 1000 ? `${(t / 1000).toFixed(2)} s` : `${t.toFixed(0)} ms`);

// ---------------------------------------------------------------------------------------
// State

const params = new URLSearchParams(location.search);
const num = (k: string, d: number) => {
  const v = params.get(k);
  if (v === null || v.trim() === "") return d;
  const m = /^1\/(\d+)$/.exec(v.trim());
  return m ? 1 / Number(m[1]) : Number(v);
};
const RANDOM = { kind: "random" as const, width: num("width", 1 / 8), classes: num("classes", 21), seed: num("seed", 0) };

interface Result {
  readonly lm: LoadedModel;
  readonly pass: PassResult;
  readonly plan: InputPlan;
  readonly original: readonly [number, number];
  readonly backend: StartedBackend;
  readonly labels: Uint8Array;
  /** Class colours from the weights' class names (the digit models' categorical palette, else VOC's). */
  readonly colors: LabelColors;
  readonly figuresMs: number;
  readonly compileMs: number | null;
}

const state = {
  manifest: null as Manifest | null,
  backend: null as StartedBackend | null,
  backendChoice: null as BackendChoice | null,
  /** The input, and what it is (a digit scene or a photo: training-domain.ts). */
  image: null as { name: string; rgb: RgbImage; origin: ImageOrigin } | null,
  /** Weights files read so far, by weights option value. */
  files: new Map<string, { file: WeightsFile; label: string }>(),
  /** How the last published net was loaded (bytes, download and parse times), for the status line and the tests. */
  publishedLoad: null as { name: string; bytes: number; downloadMs: number; parseMs: number } | null,
  loaded: null as LoadedModel | null,
  loadedKey: "",
  result: null as Result | null,
  pinned: null as [number, number] | null,
  hovered: null as [number, number] | null,
  compiled: new Set<string>(),
  running: false,
  /** Runs finished (with or without an error): tests wait for it to move. */
  runs: 0,
  lastError: null as string | null,
  messages: [] as string[],
};

// ---------------------------------------------------------------------------------------
// Messages

/** Notes for the next run (e.g. what a weights file held), shown once it has cleared the box. */
const pendingNotes: string[] = [];

function showMessage(text: string, kind: "note" | "error" = "note"): void {
  state.messages.push(text);
  if (kind === "error") state.lastError = text;
  const appending = kind === "note" && !ui.message.hidden && !ui.message.classList.contains("error");
  ui.message.hidden = false;
  ui.message.className = kind === "error" ? "message error" : "message";
  if (appending) ui.message.append(document.createElement("br"), text);
  else ui.message.textContent = text;
}
function clearMessage(): void {
  ui.message.hidden = true;
  ui.message.textContent = "";
  state.lastError = null;
  for (const n of pendingNotes.splice(0)) showMessage(n);
}

function updateBanner(): void {
  const value = ui.weights.value;
  const hasProject = state.manifest ? trainedFcns(state.manifest).length > 0 : false;
  if (value === "random") {
    ui.banner.hidden = false;
    ui.banner.innerHTML =
      `<strong>Random weights: the predictions mean nothing.</strong>` +
      (hasProject
        ? `You chose seeded random weights (width ${widthText(RANDOM.width)}, ${RANDOM.classes} classes). `
        : `No trained model was found in <code>models/</code> when this page was built, so the network runs with seeded random weights (width ${widthText(RANDOM.width)}, ${RANDOM.classes} classes). `) +
      `Every stage below is computed for real: the geometry, the upsampling, the fusions and the decomposition are exact, but the class names are just labels on random scores.`;
  } else {
    ui.banner.hidden = true;
  }
}

/** "RGB × 1/255", "BGR − mean (104.0, 116.7, 122.7)": what the net is fed. */
function preprocessText(p: Preprocess): string {
  const parts: string[] = [p.channelOrder];
  if (p.scale !== 1) parts.push(Math.abs(p.scale * 255 - 1) < 1e-9 ? "× 1/255" : `× ${p.scale}`);
  if (p.mean.some((m) => m !== 0)) parts.push(`− mean (${p.mean.map((m) => m.toFixed(1)).join(", ")})`);
  if (p.std.some((v) => v !== 1)) parts.push(`÷ std (${p.std.map((v) => v.toFixed(3)).join(", ")})`);
  return parts.join(" ");
}


// ---------------------------------------------------------------------------------------
// Manifest, options

async function loadManifest(): Promise<Manifest> {
  const r = await fetch("./manifest.json");
  if (!r.ok) throw new Error(`manifest.json: ${r.status} (build the page with npm run explorer)`);
  return (await r.json()) as Manifest;
}

function modelOfMeta(m: ManifestModel): string | undefined {
  return m.metadata["fcn_viz.model"];
}

/** The trained FCNs among models/ (a VGG16 classifier there is not an FCN to explore). */
function trainedFcns(manifest: Manifest): ManifestModel[] {
  return manifest.models.filter((m) => {
    const mm = modelOfMeta(m);
    return mm === undefined || (FCN_MODELS as readonly string[]).includes(mm);
  });
}

/** The trained weights for an architecture: models/<model>.safetensors first, else any for it. */
function trainedFor(manifest: Manifest, model: string): ManifestModel | undefined {
  const fcns = trainedFcns(manifest);
  return fcns.find((m) => m.name === model) ?? fcns.find((m) => modelOfMeta(m) === model);
}

/** The authors' FCNs in the weights cache, in the registry's order (VGG16 is a classifier: not offered). */
function publishedFcns(manifest: Manifest): ManifestPublished[] {
  return (manifest.published?.cached ?? []).filter((p) => (FCN_MODELS as readonly string[]).includes(p.model));
}

const PUBLISHED = "published:";
const publishedByValue = (v: string) => (v.startsWith(PUBLISHED) ? publishedFcns(state.manifest!).find((p) => p.name === v.slice(PUBLISHED.length)) : undefined);

/** "FCN-8s · authors' voc-fcn8s (21 classes)"; the size and licence are in its tooltip. */
function publishedLabel(p: ManifestPublished): string {
  return `${DISPLAY[p.model] ?? p.model}${p.atOnce ? " at-once" : ""} · authors' ${p.name} (${p.classes} classes)`;
}

/** The command that gets the authors' FCN-8s, with its size: what the page suggests when none is cached. */
const FETCH_SUGGESTED = "voc-fcn8s";
const fetchCommand = (name: string) => `npx fcn-viz fetch ${name}`;
const fetchHint = (name = FETCH_SUGGESTED) => `${fetchCommand(name)} (${sizeText(publishedWeights(name))})`;

/**
 * The weights an architecture starts with: the authors' net for it when one is cached
 * (the first in the registry's order: voc-fcn8s before the at-once and PASCAL-Context
 * variants), else the project's trained one, else seeded random weights.
 */
function defaultWeightsFor(manifest: Manifest, model: string): string {
  const pub = publishedFcns(manifest).find((p) => p.model === model);
  if (pub) return PUBLISHED + pub.name;
  const trained = trainedFor(manifest, model);
  return trained ? `project:${trained.url}` : "random";
}

function fillOptions(manifest: Manifest): void {
  const opts: string[] = [];
  const pubs = publishedFcns(manifest);
  const group = (label: string, items: string[]) => (items.length ? `<optgroup label="${escapeHtml(label)}">${items.join("")}</optgroup>` : "");
  opts.push(
    group(
      "The authors' published nets (weights cache)",
      pubs.length
        ? pubs.map((p) => `<option value="${PUBLISHED}${escapeHtml(p.name)}" title="${escapeHtml(`${p.description}. ${p.file}, ${formatBytes(p.bytes)}. Licence: ${p.licence}`)}">${escapeHtml(publishedLabel(p))}</option>`)
        : [`<option value="published:none" disabled>none in the cache: ${escapeHtml(fetchHint())}, then reload</option>`],
    ),
  );
  const trained: string[] = [];
  for (const m of trainedFcns(manifest)) {
    const meta = m.metadata;
    const bits = [meta["fcn_viz.model"], meta["fcn_viz.classes"] && `${meta["fcn_viz.classes"]} classes`, meta["fcn_viz.width"] && `width ${widthText(Number(meta["fcn_viz.width"]))}`].filter(Boolean);
    trained.push(`<option value="project:${escapeHtml(m.url)}">trained: ${escapeHtml(m.name)}${bits.length ? ` (${escapeHtml(bits.join(", "))})` : ""}</option>`);
  }
  opts.push(group("Trained by this project (models/)", trained));
  opts.push(
    group("Other", [
      `<option value="random">random (seed ${RANDOM.seed}, width ${widthText(RANDOM.width)}, ${RANDOM.classes} classes)</option>`,
      `<option value="file:pick">your weights file… (.caffemodel, .safetensors, .h5, tfjs)</option>`,
    ]),
  );
  ui.weights.innerHTML = opts.join("");
  if (pubs.length) {
    ui.weightsHint.hidden = true;
  } else {
    // The menu's disabled line only shows when it is opened: say it under the menu too.
    ui.weightsHint.hidden = false;
    ui.weightsHint.innerHTML = `The authors' trained FCN-8s: <code>${escapeHtml(fetchCommand(FETCH_SUGGESTED))}</code> (${escapeHtml(sizeText(publishedWeights(FETCH_SUGGESTED)))}), then reload.`;
    ui.weightsHint.title = `No published net in ${manifest.published?.cacheDir ?? "the weights cache"}`;
  }

  const model = params.get("model");
  if (model && (FCN_MODELS as readonly string[]).includes(model)) ui.model.value = model;
  const w = params.get("weights");
  const fcns = trainedFcns(manifest);
  const wantedPub = w === null ? undefined : w.startsWith(PUBLISHED) ? w.slice(PUBLISHED.length) : w;
  const pub = wantedPub === undefined ? undefined : pubs.find((p) => p.name === wantedPub);
  const project = w === null ? undefined : w === "project" ? (trainedFor(manifest, ui.model.value) ?? fcns[0]) : fcns.find((m) => m.name === w);
  if (w === "random") ui.weights.value = "random";
  else if (pub) {
    ui.weights.value = PUBLISHED + pub.name;
    if (!model) ui.model.value = pub.model;
  } else if (project) {
    ui.weights.value = `project:${project.url}`;
    const mm = modelOfMeta(project);
    if (!model && mm && (FCN_MODELS as readonly string[]).includes(mm)) ui.model.value = mm;
  } else {
    const notFcn = manifest.published?.cached.find((p) => p.name === wantedPub);
    if (notFcn) {
      pendingNotes.push(`${notFcn.name} is not an FCN (${notFcn.description}): the explorer runs FCN-32s, 16s and 8s.`);
    } else if (wantedPub !== undefined && isPublishedName(wantedPub)) {
      pendingNotes.push(`${wantedPub} is not in the weights cache (${manifest.published?.cacheDir ?? "?"}): ${fetchHint(wantedPub)} gets it; then reload.`);
    } else if (w !== null) {
      pendingNotes.push(`weights=${w}: no such weights here (published nets: ${pubs.map((p) => PUBLISHED + p.name).join(", ") || "none cached"}; trained: ${fcns.map((m) => m.name).join(", ") || "none"}; or random).`);
    }
    // The architecture's best weights; without a model asked for, any published net beats
    // trained digit weights, and any trained net beats random ones.
    let first = defaultWeightsFor(manifest, ui.model.value);
    if (!model && !first.startsWith(PUBLISHED) && pubs[0]) first = PUBLISHED + pubs[0].name;
    if (first === "random" && fcns[0]) first = `project:${fcns[0].url}`;
    ui.weights.value = first;
    const chosen = publishedByValue(ui.weights.value) ?? fcns.find((m) => `project:${m.url}` === ui.weights.value);
    const mm = chosen ? ("metadata" in chosen ? modelOfMeta(chosen) : chosen.model) : undefined;
    if (!model && mm && (FCN_MODELS as readonly string[]).includes(mm)) ui.model.value = mm;
  }

  // The input: the URL's, else what suits the weights (a photo for the authors' nets, a
  // digit scene for the digit models).
  ui.sample.innerHTML = manifest.samples.map((s) => `<option value="${escapeHtml(s.url)}">${escapeHtml(s.name)}</option>`).join("");
  const wanted = params.get("sample");
  const photo = manifest.samples.find((s) => s.name === "chelsea") ?? manifest.samples.find((s) => s.from !== "models");
  const digits = manifest.samples.find((s) => s.from === "models");
  const pick = manifest.samples.find((s) => s.name === wanted) ?? (ui.weights.value.startsWith(PUBLISHED) ? photo : digits ?? photo) ?? manifest.samples[0];
  if (pick) ui.sample.value = pick.url;
  const b = params.get("backend");
  if (b && (BACKEND_CHOICES as readonly string[]).includes(b)) ui.backend.value = b;
  const side = params.get("maxSide");
  if (side) {
    if (![...ui.maxSide.options].some((o) => o.value === side)) ui.maxSide.add(new Option(`${side} px`, side));
    ui.maxSide.value = side;
  }
  updateBanner();
}

// ---------------------------------------------------------------------------------------
// Images

const IMAGE_RE = /\.(png|jpe?g|gif|webp|bmp|avif)$/i;

async function decodeAny(bytes: Uint8Array, name: string, type = ""): Promise<RgbImage> {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  // PNG and JPEG through the library's decoder: the same bytes as in Node, to the bit.
  if (png || jpeg) {
    const d = decodeImage(bytes, name);
    return { width: d.width, height: d.height, rgb: d.rgb };
  }
  // Anything else the browser can read (WebP, GIF, BMP...), composited over white.
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type }), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const c = document.createElement("canvas");
  c.width = bitmap.width;
  c.height = bitmap.height;
  const g = c.getContext("2d", { willReadFrequently: true })!;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, c.width, c.height);
  g.drawImage(bitmap, 0, 0);
  const rgba = g.getImageData(0, 0, c.width, c.height).data;
  const rgb = new Uint8Array(c.width * c.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = rgba[j]!;
    rgb[i + 1] = rgba[j + 1]!;
    rgb[i + 2] = rgba[j + 2]!;
  }
  return { width: c.width, height: c.height, rgb };
}

async function loadSample(url: string): Promise<void> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  const name = url.split("/").pop() ?? url;
  const sample = state.manifest?.samples.find((s) => s.url === url);
  state.image = { name, rgb: await decodeAny(new Uint8Array(await r.arrayBuffer()), name), origin: sampleOrigin(sample?.from ?? "") };
}

async function loadImageFile(f: File): Promise<void> {
  const rgb = await decodeAny(new Uint8Array(await f.arrayBuffer()), f.name, f.type);
  state.image = { name: f.name, rgb, origin: userImageOrigin(f.name, rgb) };
  if (![...ui.sample.options].some((o) => o.value === "file")) ui.sample.add(new Option("", "file"));
  const opt = [...ui.sample.options].find((o) => o.value === "file")!;
  opt.text = `your image: ${f.name}`;
  ui.sample.value = "file";
}

// ---------------------------------------------------------------------------------------
// Weights

async function weightsChoice(): Promise<{ key: string; choice: WeightsChoice; label: string }> {
  const v = ui.weights.value;
  if (v === "random") {
    return { key: `random:${RANDOM.width}:${RANDOM.classes}:${RANDOM.seed}`, choice: RANDOM, label: `random, seed ${RANDOM.seed}, width ${widthText(RANDOM.width)}, ${RANDOM.classes} classes` };
  }
  let entry = state.files.get(v);
  if (!entry && v.startsWith(PUBLISHED)) entry = await loadPublished(v);
  if (!entry && v.startsWith("project:")) {
    const url = v.slice("project:".length);
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    const name = url.split("/").pop()!;
    entry = { file: await readWeightsBytes({ name, bytes: new Uint8Array(await r.arrayBuffer()) }), label: `trained: ${name}` };
    state.files.set(v, entry);
  }
  if (!entry) throw new Error("choose a weights file first (Weights → your weights file…)");
  return { key: v, choice: { kind: "file", file: entry.file, label: entry.label }, label: entry.label };
}

/**
 * A published net from the weights cache, through the server (scripts/explorer.mjs serves
 * the cached .caffemodel as it is): downloaded with progress, then read by the library's
 * bytes reader, the same code as a dropped file. What the registry knows (class names,
 * model, at-once) joins the file's metadata, as the library's loadWeights does in Node.
 */
async function loadPublished(v: string): Promise<{ file: WeightsFile; label: string }> {
  const pub = publishedByValue(v);
  if (!pub) throw new Error(`${v.slice(PUBLISHED.length)} is not in the weights cache: ${fetchHint(v.slice(PUBLISHED.length))}, then reload`);
  // One published net in memory at a time: each holds ~540 MB of float32 on the page.
  for (const k of [...state.files.keys()]) if (k.startsWith(PUBLISHED)) state.files.delete(k);
  state.publishedLoad = null;
  disposeModel();
  const t0 = performance.now();
  const bytes = await fetchBytes(pub.url, (p) => (ui.busyText.textContent = progressText(pub.name, p)));
  const downloadMs = performance.now() - t0;
  ui.busyText.textContent = `Reading ${pub.file} (${formatBytes(bytes.length)})…`;
  await nextFrame();
  const t1 = performance.now();
  const read = await readWeightsBytes({ name: pub.file, bytes });
  const parseMs = performance.now() - t1;
  // What the registry knows and the file does not say, as loadWeights("voc-fcn8s") adds it in Node.
  const file = withPublishedMeta(read, { ...pub, model: pub.model as PublishedModel });
  state.publishedLoad = { name: pub.name, bytes: bytes.length, downloadMs, parseMs };
  const entry = { file, label: `the authors' ${pub.name}` };
  state.files.set(v, entry);
  return entry;
}

async function readWeightsFiles(files: File[]): Promise<void> {
  const named = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  const file = await readWeightsBytes(named);
  const label = `your file: ${file.source ?? files[0]!.name}`;
  const key = `file:${file.source}:${Date.now()}`;
  state.files.set(key, { file, label });
  // Just above "your weights file…", in its group (select.add wants a direct child as anchor).
  const pick = [...ui.weights.options].find((o) => o.value === "file:pick")!;
  pick.before(new Option(label, key));
  ui.weights.value = key;
  const found = inferWeightsConfig(file.params);
  const model = file.meta.model ?? found.model;
  if (model && (FCN_MODELS as readonly string[]).includes(model) && model !== ui.model.value) {
    ui.model.value = model;
    pendingNotes.push(`Read ${file.source}: ${describeConfig(found)}. The model was switched to ${DISPLAY[model] ?? model} to match it.`);
  } else {
    pendingNotes.push(`Read ${file.source} (${file.format}): ${describeConfig(found)}.${found.model === "vgg16" ? " VGG16 weights: the FCN is initialized from them by the paper's surgery (score layers zero), so it predicts background until trained." : ""}`);
  }
  updateBanner();
}

// ---------------------------------------------------------------------------------------
// Running

function setBusy(on: boolean, text = "Running…"): void {
  state.running = on;
  ui.run.disabled = on;
  ui.busy.hidden = !on;
  ui.busyText.textContent = text;
}

let isReady = false;
let readyResolve: () => void = () => {};
const ready = new Promise<void>((r) => (readyResolve = r)).then(() => {
  isReady = true;
});

async function run(): Promise<void> {
  if (state.running) return;
  clearMessage();
  setBusy(true, "Starting the backend…");
  const t0 = performance.now();
  const tick = setInterval(() => {
    if (state.running) ui.busyText.textContent = `${ui.busyText.textContent!.replace(/ \(\d+ s\)$/, "")} (${Math.round((performance.now() - t0) / 1000)} s)`;
  }, 1000);
  try {
    const manifest = state.manifest!;
    // 1. Backend.
    const choice = ui.backend.value as BackendChoice;
    if (!state.backend || state.backendChoice !== choice) {
      disposeModel();
      state.backend = await startBackend(choice, manifest.wasmPath);
      state.backendChoice = choice;
      const fakeMax = params.get("maxTexture");
      if (fakeMax && state.backend.info.name === "webgl") {
        tf.env().set("WEBGL_MAX_TEXTURE_SIZE", Number(fakeMax));
        state.backend = { ...state.backend, maxTextureSize: Number(fakeMax) };
      }
      // webglConv=direct: tfjs's experimental direct 3x3 convolution (no im2col matrices).
      if (state.backend.info.name === "webgl") tf.env().set("WEBGL_EXP_CONV", params.get("webglConv") === "direct");
      showBackend(state.backend);
    }
    const backend = state.backend;

    // 2. Model.
    ui.busyText.textContent = "Loading the weights…";
    const w = await weightsChoice();
    const modelName = ui.model.value as FcnModel;
    const key = `${backend.info.name}|${modelName}|${w.key}`;
    if (!state.loaded || state.loadedKey !== key) {
      disposeModel();
      state.loaded = loadModel(modelName, w.choice, { maxBufferBytes: backend.maxBufferBytes });
      state.loadedKey = key;
    }
    const lm = state.loaded;
    const pub = publishedByValue(w.key);
    const names = lm.classNames.names;
    const namesShown = names.slice(0, 6).join(", ") + (names.length > 6 ? `, … (${names.length})` : "");
    ui.stWeights.innerHTML =
      `${escapeHtml(w.choice.kind === "random" ? `random (seed ${RANDOM.seed})` : w.label)} · ${escapeHtml(DISPLAY[lm.spec.model] ?? lm.spec.model)}${lm.spec.nodes.some((n) => n.op.type === "scale") ? " at-once" : ""}, width ${widthText(lm.spec.width)}, ${lm.spec.classes} classes` +
      ` · <span title="${escapeHtml(names.join(", "))}">names (${escapeHtml(lm.classNames.source)}): ${escapeHtml(namesShown)}</span>`;
    if (pub && state.publishedLoad?.name === pub.name) {
      const l = state.publishedLoad;
      ui.stWeights.insertAdjacentHTML(
        "beforeend",
        ` · <span class="muted" title="${escapeHtml(`${pub.description}. Licence: ${pub.licence}`)}">${escapeHtml(pub.file)}, ${escapeHtml(formatBytes(l.bytes))} from the weights cache, loaded in ${ms(l.downloadMs)}, read in ${ms(l.parseMs)}</span>`,
      );
    }
    // The preprocessing travels with the weights (their metadata, else the library's assumption).
    const pre = lm.model.preprocess;
    ui.stWeights.insertAdjacentHTML("beforeend", ` · <span class="muted" title="${escapeHtml(pre.source)}">input ${escapeHtml(preprocessText(pre))}</span>`);
    if (w.key.startsWith("project:") && manifest.modelCard) {
      ui.stWeights.insertAdjacentHTML("beforeend", ` · <a href="${escapeHtml(manifest.modelCard)}" target="_blank" rel="noopener">model card</a>`);
    }
    for (const n of lm.notes) showMessage(n);

    // 3. Input size: the user's cap, the net's minimum, the GPU's limits.
    if (!state.image) await loadSample(ui.sample.value);
    const img = state.image!.rgb;
    // Weights on an image unlike their training data (a sample, an opened or a dropped image alike).
    const kind = w.choice.kind === "random" ? "random" : pub ? "published" : w.key.startsWith("project:") ? "project" : "file";
    const unlike = mismatchWarning(
      weightsOrigin({ kind, classNames: names, ...(pub ? { published: pub } : {}) }),
      state.image!.origin,
      manifest.samples.filter((s) => s.from === "models").map((s) => s.name),
    );
    if (unlike) showMessage(unlike);
    // The backend's limits (memory.ts's planner, as the CLI's): WebGL's textures, wasm's
    // 4 GiB, WebGPU's buffer limit. The input shrinks until the pass fits them, instead of
    // tfjs failing mid-pass or Model.forward refusing it.
    // plan=0 skips them: to see what happens without (tfjs throws on WebGL).
    const limits: MemoryLimits | undefined =
      params.get("plan") === "0"
        ? undefined
        : backend.maxTextureSize
          ? webglLimits(backend.maxTextureSize, tf.webgl_util.getTextureShapeFromLogicalShape)
          : memoryLimits();
    const plan = planInput(lm.spec, img.height, img.width, {
      maxSide: Number(ui.maxSide.value) || Infinity,
      upscale: true,
      taps: headTaps(lm.spec),
      splitAbove: backend.maxBufferBytes,
      directConv: backend.maxTextureSize !== null && params.get("webglConv") === "direct",
      // What else is on the backend (as Model.forward counts it): the earlier result's tensors.
      otherBytes: Math.max(0, tf.memory().numBytes - weightBytes(lm.spec)),
      ...(limits ? { limits } : {}),
    });
    const input = resizeRgb(img, plan.height, plan.width);
    // Full width without a GPU: say what to expect before minutes of silence (the texture
    // planner's resize, when it happens, has its own note below).
    if (lm.spec.width === 1 && backend.software && (backend.info.name === "webgl" || backend.info.name === "webgpu")) {
      showMessage(
        `${DISPLAY[lm.spec.model] ?? lm.spec.model} at full width (${(countParams(paramSpecs(lm.spec)) / 1e6).toFixed(1)}M parameters) on a software renderer (no GPU): ` +
          `a pass at ${plan.height}×${plan.width} takes minutes. Without a GPU the WASM backend is faster; a smaller "max side" helps too.`,
      );
    }
    ui.stInput.textContent = plan.resized ? `${img.height}×${img.width} → resized to ${plan.height}×${plan.width}` : `${plan.height}×${plan.width}`;
    // memory.ts words the limits' reason "at the larger size <why>".
    if (plan.reasons.some((r) => r.startsWith("at the larger size"))) {
      const rf = receptiveFields(lm.spec).get(lm.spec.output)!.rf;
      showMessage(
        `Resized from ${img.height}×${img.width} to ${plan.height}×${plan.width}: ${plan.reasons.join("; ")}. ` +
          `(Tiling is no way out: each output pixel of ${DISPLAY[lm.spec.model]} sees ${rf}×${rf} px of input, so every tile would need margins wider than itself.)`,
      );
    }

    // 4. The pass.
    const compileKey = `${backend.info.name}|${lm.spec.model}|${lm.spec.width}|${lm.spec.classes}|${plan.height}x${plan.width}`;
    const first = !state.compiled.has(compileKey) && (backend.info.name === "webgl" || backend.info.name === "webgpu");
    ui.busyText.textContent = first ? (backend.info.name === "webgpu" ? "Compiling the GPU programs…" : "Running (first pass: compiling GPU programs)…") : "Running…";
    await nextFrame();
    const compileMs = first ? await compileAhead(lm, input) : null;
    if (compileMs !== null) ui.busyText.textContent = "Running…";
    const pass = await runPass(lm, input);
    state.compiled.add(compileKey);
    const score = pass.taps.get(lm.spec.output)!;
    const labels = argmax({ data: score.data, shape: [...score.shape] }).data;
    const firstNote = !first ? "" : compileMs !== null ? ` · compiling the GPU programs first took ${ms(compileMs)}` : " (first pass: includes compiling the GPU programs; Run again for the steady time)";
    ui.stTime.innerHTML = `<b>${ms(pass.passMs)}</b>${firstNote} · read-back of the stages ${ms(pass.readMs)}`;

    // 5. Show it.
    state.result = { lm, pass, plan, original: [img.height, img.width], backend, labels, colors: labelColors(names), figuresMs: 0, compileMs };
    state.pinned = null;
    drawView();
    drawLegend();
    fillFigClass(score);
    renderHover(null);
    ui.busyText.textContent = "Drawing the stages…";
    await nextFrame();
    const tf0 = performance.now();
    renderFigures();
    state.result = { ...state.result, figuresMs: performance.now() - tf0 };
  } catch (e) {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    showMessage(e instanceof Error ? e.message : String(e), "error");
  } finally {
    clearInterval(tick);
    state.runs++;
    setBusy(false);
    readyResolve();
  }
}

function disposeModel(): void {
  state.loaded?.model.dispose();
  state.loaded = null;
  state.loadedKey = "";
}

function nextFrame(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
}

function showBackend(b: StartedBackend): void {
  const extra: string[] = [];
  if (b.maxTextureSize) extra.push(`max texture ${b.maxTextureSize} px`);
  if (b.maxBufferBytes && !/binding/.test(b.detail)) extra.push(`max buffer binding ${Math.round(b.maxBufferBytes / 2 ** 20)} MiB`);
  if (b.software) extra.push("a software renderer: a real GPU is much faster");
  ui.stBackend.innerHTML = `<b>${escapeHtml(b.info.name)}</b> · ${escapeHtml(b.detail.replace(/^\w+ (on )?/, ""))}${extra.length ? ` <span class="muted">(${escapeHtml(extra.join("; "))})</span>` : ""}`;
  ui.stBackend.title = [b.info.reason, ...b.skipped].join("\n");
  if (b.skipped.length && ui.backend.value === "default") {
    const first = b.skipped[0]!;
    if (!/navigator\.gpu/.test(first) || b.info.name !== "webgl") showMessage(`Not on the preferred backend: ${b.skipped.join("; ")}.`);
  }
}

// ---------------------------------------------------------------------------------------
// The result view

const SVG_NS = "http://www.w3.org/2000/svg";

function viewScale(w: number, h: number): number {
  const box = Math.max(320, Math.min(760, ui.wrap.parentElement!.clientWidth - 2));
  return Math.min(box / w, 560 / h, 4);
}

function drawView(): void {
  const r = state.result;
  if (!r) return;
  const { width: w, height: h, rgb } = r.pass.image;
  const k = viewScale(w, h);
  ui.view.width = w;
  ui.view.height = h;
  ui.view.style.width = `${Math.round(w * k)}px`;
  ui.view.style.height = `${Math.round(h * k)}px`;
  const g = ui.view.getContext("2d")!;
  const px = g.createImageData(w, h);
  const a = Number(ui.opacity.value) / 100;
  for (let i = 0, j = 0; i < w * h; i++, j += 4) {
    const l = r.labels[i]!;
    const c = r.colors.table.subarray(3 * l, 3 * l + 3);
    const t = l === 0 ? 0 : a; // background left clear
    px.data[j] = Math.round(t * c[0] + (1 - t) * rgb[3 * i]!);
    px.data[j + 1] = Math.round(t * c[1] + (1 - t) * rgb[3 * i + 1]!);
    px.data[j + 2] = Math.round(t * c[2] + (1 - t) * rgb[3 * i + 2]!);
    px.data[j + 3] = 255;
  }
  g.putImageData(px, 0, 0);
  ui.marks.setAttribute("viewBox", `-0.5 -0.5 ${w} ${h}`);
  ui.marks.setAttribute("preserveAspectRatio", "none");
  ui.marks.innerHTML = "";
  ui.viewCaption.textContent = `${DISPLAY[r.lm.spec.model] ?? r.lm.spec.model} · argmax of ${r.lm.spec.output}, ${h}×${w}`;
}

function drawLegend(): void {
  const r = state.result!;
  const counts = new Map<number, number>();
  for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const names = r.lm.classNames.names;
  ui.legend.innerHTML = [...counts.entries()]
    .sort((p, q) => q[1] - p[1])
    .map(([l, n]) => `<span><i class="swatch" style="background:${r.colors.css(l)}"></i>${escapeHtml(names[l] ?? `class ${l}`)} ${((100 * n) / r.labels.length).toFixed(1)}%${l === 0 ? " (not tinted)" : ""}</span>`)
    .join("");
}

const STREAM_VAR = (pool: string) => `var(--${pool})`;

function drawMarks(info: HoverInfo | null): void {
  ui.marks.innerHTML = "";
  if (!info) return;
  const r = state.result!;
  const { width: w } = r.pass.image;
  const k = Number(ui.view.style.width.replace("px", "")) / w; // screen px per input px
  const sw = 1.5 / k;
  const add = (tag: string, attrs: Record<string, string | number>) => {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [a, v] of Object.entries(attrs)) el.setAttribute(a, String(v));
    ui.marks.appendChild(el);
    return el;
  };
  // Coarsest first, so finer cells sit on top.
  for (const c of info.cells) {
    const color = STREAM_VAR(c.stream.pool);
    const [cy, cx] = c.centre;
    const rf = { x: cx - c.rf / 2, y: cy - c.rf / 2, width: c.rf, height: c.rf, fill: "none" };
    const cell = { x: cx - c.stream.stride / 2, y: cy - c.stream.stride / 2, width: c.stream.stride, height: c.stream.stride };
    // A white halo under each outline keeps it readable on any class colour.
    add("rect", { ...rf, stroke: "#fff", "stroke-width": 3 * sw, "stroke-opacity": 0.8 });
    add("rect", { ...rf, stroke: color, "stroke-width": sw, "stroke-dasharray": `${5 / k} ${3 / k}` });
    add("rect", { ...cell, fill: "none", stroke: "#fff", "stroke-width": 3 * sw, "stroke-opacity": 0.8 });
    add("rect", { ...cell, fill: color, "fill-opacity": 0.25, stroke: color, "stroke-width": sw });
  }
  add("circle", { cx: info.x, cy: info.y, r: Math.max(2.5 / k, 0.6), fill: "#fff", stroke: "#000", "stroke-width": sw });
}

function pixelAt(ev: MouseEvent): [number, number] | null {
  const r = state.result;
  if (!r) return null;
  const rect = ui.view.getBoundingClientRect();
  const x = Math.floor(((ev.clientX - rect.left) / rect.width) * r.pass.image.width);
  const y = Math.floor(((ev.clientY - rect.top) / rect.height) * r.pass.image.height);
  if (x < 0 || y < 0 || x >= r.pass.image.width || y >= r.pass.image.height) return null;
  return [x, y];
}

function info(x: number, y: number): HoverInfo {
  const r = state.result!;
  return hoverInfo(
    { spec: r.lm.spec, inputSize: [r.pass.image.height, r.pass.image.width], taps: r.pass.taps, deconv: r.lm.deconv, streams: r.lm.streams, classNames: r.lm.classNames.names },
    x,
    y,
  );
}

function renderHover(at: [number, number] | null): void {
  const r = state.result;
  if (!r || !at) {
    ui.hover.innerHTML = `<h2>Pixel</h2><p class="muted">${r ? "Hover the result to inspect a pixel; click to pin it." : "Run the model, then hover the result."}</p>`;
    ui.hover.removeAttribute("data-x");
    drawMarks(null);
    return;
  }
  const inf = info(at[0], at[1]);
  drawMarks(inf);
  const streams = r.lm.streams;
  const pinned = state.pinned && state.pinned[0] === at[0] && state.pinned[1] === at[1];
  const head = streams.map((s) => `<th class="s${s.pool.slice(4)}" title="${s.source}: the ${s.pool} stream, stride ${s.stride}">${s.pool}</th>`).join("");
  const row = (s: HoverInfo["scores"][number], i: number) =>
    `<tr class="${i === 0 ? "top" : ""}" data-class="${s.cls}" data-logit="${s.logit}" data-p="${s.p}" data-streams="${s.streams.join(",")}">` +
    `<td class="name"><i class="swatch" style="background:${r.colors.css(s.cls)}"></i> ${escapeHtml(s.name)}</td><td>${fmt(s.logit)}</td><td>${s.p.toFixed(3)}</td>` +
    s.streams.map((v, k) => `<td class="s${streams[k]!.pool.slice(4)}">${fmt(v)}</td>`).join("") +
    `</tr>`;
  const top = inf.scores.slice(0, 5);
  const rest = inf.scores.slice(5);
  const table = (rows: string) => `<table class="scores"><thead><tr><th>class</th><th>logit</th><th>p</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  const best = inf.scores[0]!;
  const cells = inf.cells
    .map((c) => {
      const [cy, cx] = c.centre;
      const [gh, gw] = r.pass.taps.get(c.stream.source)!.shape;
      return (
        `<li data-stream="${c.stream.pool}"><i class="key" style="background:${STREAM_VAR(c.stream.pool)}"></i><span><b>${c.stream.pool}</b> via <code>${c.stream.source}</code>: ` +
        `cell ${fmtPos(c.cell[0], c.cell[1])} of ${gh}×${gw}, centred on input pixel ${fmtPos(cy, cx)}; ` +
        `stride cell ${c.stream.stride}×${c.stream.stride} px, receptive field ${c.rf}×${c.rf} px</span></li>`
      );
    })
    .join("");
  ui.hover.dataset.x = String(inf.x);
  ui.hover.dataset.y = String(inf.y);
  ui.hover.dataset.residual = String(inf.residual);
  ui.hover.innerHTML =
    `<h2>Pixel ${fmtPos(inf.y, inf.x)}${pinned ? `<span class="pinned">pinned</span>` : ""}</h2>` +
    `<p class="where">Predicted: <i class="swatch" style="background:${r.colors.css(best.cls)}"></i> <b>${escapeHtml(best.name)}</b> (p ${best.p.toFixed(3)})</p>` +
    `<h3>Class scores, and what each stream adds</h3>` +
    table(top.map(row).join("")) +
    (rest.length ? `<details><summary>all ${inf.scores.length} classes</summary>${table(rest.map((s, i) => row(s, i + 5)).join(""))}</details>` : "") +
    waterfall(best, streams.map((s) => s.pool)) +
    `<h3>Where the streams look (drawn on the image)</h3><ul class="cells">${cells}</ul>` +
    `<p class="check">The output pixel's own receptive field: ${inf.outputRf}×${inf.outputRf} px. ` +
    `Check: the streams, upsampled on the CPU from the score taps, sum to the GPU's logits within ${inf.residual.toExponential(1)} (largest logit ${fmt(inf.scale)}).</p>`;
}

/** The top class's logit built up stream by stream, as a small bar chart. */
function waterfall(s: HoverInfo["scores"][number], pools: string[]): string {
  const W = 400;
  const rowH = 16;
  const n = s.streams.length + 1;
  const H = n * rowH + 6;
  const ends: [number, number][] = [];
  let acc = 0;
  for (const v of s.streams) {
    ends.push([acc, acc + v]);
    acc += v;
  }
  ends.push([0, s.logit]);
  const lo = Math.min(0, ...ends.flat());
  const hi = Math.max(0, ...ends.flat());
  const L = 70;
  const R = W - 56;
  const X = (v: number) => L + ((v - lo) / (hi - lo || 1)) * (R - L);
  const labels = [...pools, "logit"];
  const bars = ends
    .map(([a, b], i) => {
      const y = 3 + i * rowH;
      const color = i < pools.length ? STREAM_VAR(pools[i]!) : "#444";
      const x0 = Math.min(X(a), X(b));
      const wd = Math.max(1, Math.abs(X(b) - X(a)));
      const v = i < pools.length ? s.streams[i]! : s.logit;
      return (
        `<text x="${L - 6}" y="${y + 11}" text-anchor="end" font-size="11" fill="#5f6b76">${labels[i]}</text>` +
        `<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${wd.toFixed(1)}" height="${rowH - 5}" fill="${color}"></rect>` +
        `<text x="${R + 6}" y="${y + 11}" font-size="11">${v >= 0 && i < pools.length ? "+" : ""}${fmt(v)}</text>`
      );
    })
    .join("");
  return (
    `<svg class="waterfall" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="how the ${escapeHtml(s.name)} logit is built">` +
    `<line x1="${X(0).toFixed(1)}" x2="${X(0).toFixed(1)}" y1="0" y2="${H}" stroke="#b9c2cc"></line>${bars}</svg>`
  );
}

// ---------------------------------------------------------------------------------------
// Figures

function fillFigClass(score: { data: ArrayLike<number>; shape: readonly [number, number, number] }): void {
  const r = state.result!;
  const names = r.lm.classNames.names;
  const counts = new Map<number, number>();
  for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  ui.figClass.innerHTML = names.map((n, i) => `<option value="${i}">${i} ${escapeHtml(n)}${counts.has(i) ? ` (${((100 * counts.get(i)!) / r.labels.length).toFixed(0)}%)` : ""}</option>`).join("");
  ui.figClass.value = String(defaultClass(score));
}

function figureCard(f: StageFigure): string {
  return `<article class="figure" data-figure="${f.id}"><h3>${escapeHtml(f.title)}</h3><p>${escapeHtml(f.caption)}</p><div class="svg">${f.svg}</div></article>`;
}

function renderFigures(): void {
  const r = state.result;
  if (!r) return;
  const note = ui.weights.value === "random" ? "random weights" : undefined;
  try {
    const figs = stageFigures({ spec: r.lm.spec, image: r.pass.image, taps: r.pass.taps, classNames: r.lm.classNames.names, classIndex: Number(ui.figClass.value), ...(note ? { note } : {}) });
    ui.figures.innerHTML = figs.map(figureCard).join("") + `<div id="rf-slot">${rfPlaceholder()}</div>`;
    if (state.pinned) renderReceptiveField(state.pinned);
  } catch (e) {
    ui.figures.innerHTML = `<p class="message error">${escapeHtml(e instanceof Error ? e.message : String(e))}</p>`;
  }
}

function rfPlaceholder(): string {
  return `<article class="figure" data-figure="receptive-field"><h3>5. Receptive field</h3><p class="empty">Click a pixel of the result to draw the receptive field and stride cell of the coarse cell under it.</p></article>`;
}

function renderReceptiveField(at: [number, number]): void {
  const r = state.result!;
  const slot = document.getElementById("rf-slot");
  if (!slot) return;
  const f = receptiveFieldStage(r.lm.spec, r.pass.image, r.pass.taps.get("score_fr")!, at[0], at[1]);
  slot.innerHTML = figureCard(f);
}

// ---------------------------------------------------------------------------------------
// Events

ui.run.addEventListener("click", () => void run());
ui.view.addEventListener("mousemove", (ev) => {
  if (state.pinned || !state.result) return;
  const at = pixelAt(ev);
  if (!at || (state.hovered && at[0] === state.hovered[0] && at[1] === state.hovered[1])) return;
  state.hovered = at;
  renderHover(at);
});
ui.view.addEventListener("click", (ev) => {
  const at = pixelAt(ev);
  if (!at) return;
  const same = state.pinned && state.pinned[0] === at[0] && state.pinned[1] === at[1];
  state.pinned = same ? null : at;
  renderHover(at);
  if (state.pinned) renderReceptiveField(state.pinned);
});
ui.opacity.addEventListener("input", () => {
  drawView();
  if (state.pinned) renderHover(state.pinned);
});
ui.figClass.addEventListener("change", () => renderFigures());
ui.sample.addEventListener("change", async () => {
  if (ui.sample.value === "file") return;
  try {
    await loadSample(ui.sample.value);
    void run();
  } catch (e) {
    showMessage(String(e), "error");
  }
});
ui.imageFile.addEventListener("change", async () => {
  const f = ui.imageFile.files?.[0];
  if (!f) return;
  try {
    await loadImageFile(f);
    void run();
  } catch (e) {
    showMessage(e instanceof Error ? e.message : String(e), "error");
  }
});
let lastWeights = "";
ui.weights.addEventListener("focus", () => (lastWeights = ui.weights.value));
ui.weights.addEventListener("change", () => {
  updateBanner();
  if (ui.weights.value === "file:pick") {
    ui.weightsFile.click();
    return;
  }
  // A published net is one architecture: the model follows it.
  const pub = publishedByValue(ui.weights.value);
  if (pub && pub.model !== ui.model.value) ui.model.value = pub.model;
  void run();
});
ui.weightsFile.addEventListener("change", async () => {
  const files = [...(ui.weightsFile.files ?? [])];
  if (!files.length) {
    ui.weights.value = lastWeights || "random";
    return;
  }
  try {
    await readWeightsFiles(files);
    void run();
  } catch (e) {
    ui.weights.value = lastWeights || "random";
    updateBanner();
    showMessage(e instanceof Error ? e.message : String(e), "error");
  }
});
ui.model.addEventListener("change", () => {
  // With trained models per architecture (models/fcn32s-*.safetensors, ...), follow the model.
  const current = ui.weights.value;
  const match = state.manifest && trainedFor(state.manifest, ui.model.value);
  if (current.startsWith("project:") && match) ui.weights.value = `project:${match.url}`;
  // A published net fits one architecture only: take that architecture's best weights.
  const pub = publishedByValue(current);
  if (pub && pub.model !== ui.model.value && state.manifest) {
    ui.weights.value = defaultWeightsFor(state.manifest, ui.model.value);
    pendingNotes.push(`${pub.name} holds ${DISPLAY[pub.model] ?? pub.model} weights; for ${DISPLAY[ui.model.value] ?? ui.model.value} the page took ${ui.weights.selectedOptions[0]?.text ?? ui.weights.value}.`);
    updateBanner();
  }
  void run();
});
for (const el of [ui.backend, ui.maxSide]) el.addEventListener("change", () => void run());

// Drag and drop anywhere: images become the input, anything else is read as weights.
let dragDepth = 0;
window.addEventListener("dragenter", (ev) => {
  ev.preventDefault();
  dragDepth++;
  ui.dropzone.hidden = false;
});
window.addEventListener("dragleave", () => {
  if (--dragDepth <= 0) ui.dropzone.hidden = true;
});
window.addEventListener("dragover", (ev) => ev.preventDefault());
window.addEventListener("drop", async (ev) => {
  ev.preventDefault();
  dragDepth = 0;
  ui.dropzone.hidden = true;
  const files = [...(ev.dataTransfer?.files ?? [])];
  const images = files.filter((f) => f.type.startsWith("image/") || IMAGE_RE.test(f.name));
  const others = files.filter((f) => !images.includes(f));
  try {
    if (others.length) await readWeightsFiles(others);
    if (images.length) await loadImageFile(images[0]!);
    if (files.length) void run();
  } catch (e) {
    showMessage(e instanceof Error ? e.message : String(e), "error");
  }
});

// ---------------------------------------------------------------------------------------
// Test and benchmark hooks (read-only views of what the page shows).

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const api = {
  ready,
  /** The first run (or the start, with autorun=0) is over. */
  isReady: () => isReady,
  run,
  busy: () => state.running,
  tfBackend: () => tf.getBackend(),
  state: () => {
    const r = state.result;
    return {
      backend: state.backend?.info.name ?? null,
      detail: state.backend?.detail ?? null,
      maxTextureSize: state.backend?.maxTextureSize ?? null,
      model: r?.lm.spec.model ?? null,
      width: r?.lm.spec.width ?? null,
      classes: r?.lm.spec.classes ?? null,
      classNames: r?.lm.classNames.names ?? null,
      /** The preprocessing the page fed the net with (from the weights' metadata). */
      preprocess: r?.lm.model.preprocess ?? null,
      weights: ui.weights.value,
      weightsLabel: ui.weights.selectedOptions[0]?.text ?? "",
      /** The weights menu: [value, text, disabled] per option, in order. */
      weightsOptions: [...ui.weights.options].map((o) => [o.value, o.text, o.disabled] as const),
      weightsHint: ui.weightsHint.hidden ? null : ui.weightsHint.textContent,
      publishedLoad: state.publishedLoad,
      runs: state.runs,
      banner: ui.banner.hidden ? null : ui.banner.textContent,
      input: r ? [r.pass.image.height, r.pass.image.width] : null,
      original: r?.original ?? null,
      resizeReasons: r?.plan.reasons ?? [],
      passMs: r?.pass.passMs ?? null,
      compileMs: r?.compileMs ?? null,
      readMs: r?.pass.readMs ?? null,
      figuresMs: r?.figuresMs ?? null,
      error: state.lastError,
      messages: state.messages,
      figures: [...document.querySelectorAll<HTMLElement>("[data-figure]")].map((el) => ({ id: el.dataset.figure, svgs: el.querySelectorAll("svg").length })),
    };
  },
  inputRgb: () => (state.result ? b64(state.result.pass.image.rgb) : null),
  tap: (name: string) => {
    const t = state.result?.pass.taps.get(name);
    if (!t) return null;
    const f = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    return { shape: [...t.shape], data: b64(new Uint8Array(f.buffer, f.byteOffset, f.byteLength)) };
  },
  /** Viewport coordinates of the centre of input pixel (x, y) in the result view. */
  pixelToClient: (x: number, y: number) => {
    const r = state.result!;
    const rect = ui.view.getBoundingClientRect();
    return { x: rect.left + ((x + 0.5) / r.pass.image.width) * rect.width, y: rect.top + ((y + 0.5) / r.pass.image.height) * rect.height };
  },
};
(window as unknown as { __explorer: typeof api }).__explorer = api;

// ---------------------------------------------------------------------------------------
// Start

(async () => {
  try {
    state.manifest = await loadManifest();
    fillOptions(state.manifest);
    await loadSample(ui.sample.value);
    if (params.get("autorun") !== "0") await run();
    else {
      clearMessage(); // shows what choosing the weights had to say (a net not in the cache...)
      readyResolve();
    }
  } catch (e) {
    showMessage(e instanceof Error ? e.message : String(e), "error");
    readyResolve();
  }
})();
