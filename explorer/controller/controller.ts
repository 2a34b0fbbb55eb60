/**
 * The explorer without its page: the state (state.ts) and the actions a user takes
 * (choose an image, a model, weights, a backend, a size; run; hover and click a pixel;
 * read a file). No DOM: what touches the browser (fetching, decoding an image format
 * only the browser reads, starting a backend, waiting for a paint) comes in as an
 * ExplorerEnv, so the whole thing runs in Node on tfjs's cpu backend for the tests. The
 * views (views/*.ts) draw the state and call these actions.
 */
import * as tf from "@tensorflow/tfjs";
import {
  countParams,
  describeConfig,
  formatBytes,
  hoverInfo,
  inferWeightsConfig,
  memoryLimits,
  paramSpecs,
  planInput,
  readWeightsBytes,
  receptiveFields,
  webglLimits,
  weightBytes,
  widthText,
  withPublishedMeta,
  type BackendName,
  type InputPlan,
  type MemoryLimits,
  type PublishedModel,
  type RgbImage,
  type WeightsFile,
} from "fcn-viz";
import { argmax, labelColors } from "fcn-viz/viz";
import type { StartedBackend } from "../backends.js";
import { progressText, type Progress } from "../download.js";
import { defaultClass, receptiveFieldStage, stageFigures } from "../figures.js";
import { displayName, ms } from "../format.js";
import { resizeRgb } from "../image.js";
import type { Manifest } from "../manifest.js";
import { compileAhead, headTaps, isFcn, loadModel, runPass, type FcnModel, type LoadedModel, type PassResult, type WeightsChoice } from "../pipeline.js";
import { mismatchWarning, sampleOrigin, userImageOrigin, weightsOrigin } from "../training-domain.js";
import { defaultWeightsFor, fetchHint, initialChoices, menuText, PICK_FILE, PROJECT, PUBLISHED, publishedByValue, RANDOM, trainedFor, USER_IMAGE, weightsMenu } from "./choices.js";
import type { ExplorerOptions } from "./options.js";
import { initialState, type ExplorerState, type Figures, type InputImage, type PixelHover, type Result } from "./state.js";

/** What the controller needs from its surroundings: the browser's, or a test's. */
export interface ExplorerEnv {
  /** GET a URL relative to the page (manifest.json, samples, the project's models). */
  fetch(url: string): Promise<Response>;
  /** A large download with progress (a published net: download.ts's fetchBytes). */
  download(url: string, onProgress: (p: Progress) => void): Promise<Uint8Array>;
  /** An image file's bytes as RGB (its MIME type, when known, for formats only a browser reads). */
  decodeImage(bytes: Uint8Array, name: string, type: string): Promise<RgbImage>;
  startBackend(choice: BackendName, wasmPath: string): Promise<StartedBackend>;
  /** Resolves once the page could paint what the state says. */
  nextFrame(): Promise<void>;
}

/** A file the user opened or dropped (a DOM File fits). */
export interface InputFile {
  readonly name: string;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type Listener = (state: ExplorerState, previous: ExplorerState) => void;

interface WeightsEntry {
  readonly file: WeightsFile;
  readonly label: string;
}

/** The chosen weights, ready to build a model from. */
interface ChosenWeights {
  readonly key: string;
  readonly choice: WeightsChoice;
  readonly label: string;
}

/** The input a pass runs on, planned. */
interface PlannedInput {
  readonly input: RgbImage;
  readonly plan: InputPlan;
  readonly original: readonly [number, number];
}

export const IMAGE_RE = /\.(png|jpe?g|gif|webp|bmp|avif)$/i;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const samePixel = (a: readonly [number, number] | null, b: readonly [number, number]) => a !== null && a[0] === b[0] && a[1] === b[1];

export class ExplorerController {
  private s: ExplorerState;
  private readonly listeners: Listener[] = [];
  /** Weights files read so far, by weights menu value. */
  private readonly files = new Map<string, WeightsEntry>();
  /** Notes for the next run (e.g. what a weights file held), shown once it has cleared the box. */
  private readonly pendingNotes: string[] = [];
  /** Net, size and backend combinations that ran once (their GPU programs are compiled). */
  private readonly compiled = new Set<string>();
  private startedChoice: BackendName | null = null;
  private loaded: LoadedModel | null = null;
  private loadedKey = "";
  /** The weights before "your weights file…" was chosen, to go back to when no file comes. */
  private weightsBeforePick = "";
  private resolveReady: () => void = () => {};
  /** The first run (or the start, with autorun=0) is over. */
  readonly ready: Promise<void>;

  constructor(
    private readonly env: ExplorerEnv,
    readonly options: ExplorerOptions,
  ) {
    this.s = initialState(options.random);
    this.ready = new Promise<void>((r) => (this.resolveReady = r)).then(() => this.set({ ready: true }));
  }

  get state(): ExplorerState {
    return this.s;
  }

  /** Calls `listener` after every change, with the state before it. */
  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  private set(patch: Partial<ExplorerState>): void {
    const previous = this.s;
    this.s = { ...previous, ...patch };
    for (const l of this.listeners) l(this.s, previous);
  }

  // -------------------------------------------------------------------------------------
  // Start

  /** Reads the manifest, sets the menus from it and the URL, loads the image, and runs (unless autorun=0). */
  async start(): Promise<void> {
    try {
      const r = await this.env.fetch("./manifest.json");
      if (!r.ok) throw new Error(`manifest.json: ${r.status} (build the page with npm run explorer)`);
      const manifest = (await r.json()) as Manifest;
      const c = initialChoices(manifest, this.options, { model: this.s.model, backend: this.s.backendChoice, maxSide: this.s.maxSide });
      this.pendingNotes.push(...c.notes);
      this.set({ manifest, model: c.model, weights: c.weights, sample: c.sample, backendChoice: c.backend, maxSide: c.maxSide, maxSides: c.maxSides });
      await this.loadSample(this.s.sample);
      if (this.options.autorun) await this.run();
      else {
        this.clearMessage(); // shows what choosing the weights had to say (a net not in the cache...)
        this.resolveReady();
      }
    } catch (e) {
      this.showMessage(message(e), "error");
      this.resolveReady();
    }
  }

  // -------------------------------------------------------------------------------------
  // Actions: the settings

  async chooseSample(url: string): Promise<void> {
    this.set({ sample: url });
    if (url === USER_IMAGE) return;
    try {
      await this.loadSample(url);
    } catch (e) {
      this.showMessage(String(e), "error");
      return;
    }
    return this.run();
  }

  /** An image the user opened. */
  async openImage(file: InputFile): Promise<void> {
    try {
      await this.loadImageFile(file);
    } catch (e) {
      this.showMessage(message(e), "error");
      return;
    }
    return this.run();
  }

  chooseModel(model: FcnModel): Promise<void> {
    const { manifest, weights: current } = this.s;
    let weights = current;
    // With trained models per architecture (models/fcn32s-*.safetensors, ...), follow the model.
    const match = manifest && trainedFor(manifest, model);
    if (current.startsWith(PROJECT) && match) weights = PROJECT + match.url;
    // A published net fits one architecture only: take that architecture's best weights.
    const pub = publishedByValue(manifest, current);
    if (pub && pub.model !== model && manifest) {
      weights = defaultWeightsFor(manifest, model);
      const took = menuText(weightsMenu(manifest, this.s.random, this.s.userWeights), weights) ?? weights;
      this.pendingNotes.push(`${pub.name} holds ${displayName(pub.model)} weights; for ${displayName(model)} the page took ${took}.`);
    }
    this.set({ model, weights });
    return this.run();
  }

  chooseWeights(value: string): Promise<void> {
    // A published net is one architecture: the model follows it.
    const pub = publishedByValue(this.s.manifest, value);
    this.set({ weights: value, ...(pub && pub.model !== this.s.model && isFcn(pub.model) ? { model: pub.model } : {}) });
    return this.run();
  }

  /** "your weights file…" chosen: the page opens its file picker. */
  beginWeightsPick(): void {
    if (this.s.weights !== PICK_FILE) this.weightsBeforePick = this.s.weights;
    this.set({ weights: PICK_FILE });
  }

  /** The file picker closed without a file. */
  cancelWeightsPick(): void {
    this.set({ weights: this.weightsBeforePick || RANDOM });
  }

  /** Weights files the user picked (a model.json comes with its .bin shards). */
  async openWeights(files: readonly InputFile[]): Promise<void> {
    if (!files.length) return this.cancelWeightsPick();
    try {
      await this.readWeightsFiles(files);
    } catch (e) {
      this.set({ weights: this.weightsBeforePick || RANDOM });
      this.showMessage(message(e), "error");
      return;
    }
    return this.run();
  }

  /** Files dropped on the page: images become the input, anything else is read as weights. */
  async dropFiles(files: readonly InputFile[]): Promise<void> {
    const images = files.filter((f) => f.type.startsWith("image/") || IMAGE_RE.test(f.name));
    const others = files.filter((f) => !images.includes(f));
    try {
      if (others.length) await this.readWeightsFiles(others);
      if (images.length) await this.loadImageFile(images[0]!);
    } catch (e) {
      this.showMessage(message(e), "error");
      return;
    }
    if (files.length) return this.run();
  }

  chooseBackend(choice: BackendName): Promise<void> {
    this.set({ backendChoice: choice });
    return this.run();
  }

  chooseMaxSide(side: string): Promise<void> {
    this.set({ maxSide: side });
    return this.run();
  }

  // -------------------------------------------------------------------------------------
  // Actions: looking at the result

  setOpacity(percent: number): void {
    this.set({ opacity: percent });
  }

  chooseFigureClass(cls: number): void {
    this.set({ figClass: cls });
    this.drawFigures();
  }

  /** The mouse is over input pixel (x, y) of the result (a pinned pixel stays). */
  hoverPixel(at: readonly [number, number]): void {
    if (this.s.pinned || !this.s.result || samePixel(this.s.hovered, at)) return;
    this.set({ hovered: at, hover: this.pixel(at, null) });
  }

  /** A click on pixel (x, y): pins it (with its receptive field drawn), or unpins it. */
  clickPixel(at: readonly [number, number]): void {
    if (!this.s.result) return;
    const pinned = samePixel(this.s.pinned, at) ? null : at;
    this.set({ pinned, hover: this.pixel(at, pinned), ...(pinned ? { receptiveField: this.receptiveFieldAt(pinned) } : {}) });
  }

  private pixel(at: readonly [number, number], pinned: readonly [number, number] | null): PixelHover {
    const r = this.s.result!;
    const src = { spec: r.lm.spec, inputSize: [r.pass.image.height, r.pass.image.width] as const, taps: r.pass.taps, deconv: r.lm.deconv, streams: r.lm.streams, classNames: r.lm.classNames.names };
    return { info: hoverInfo(src, at[0], at[1]), pinned: samePixel(pinned, at) };
  }

  private receptiveFieldAt(at: readonly [number, number]) {
    const r = this.s.result!;
    return receptiveFieldStage(r.lm.spec, r.pass.image, r.pass.taps.get("score_fr")!, at[0], at[1]);
  }

  /** The stage figures of the result, for the class chosen (and the pinned pixel's receptive field). */
  private drawFigures(): void {
    const r = this.s.result;
    if (!r) return;
    const note = this.s.weights === RANDOM ? "random weights" : undefined;
    let figures: Figures;
    let receptiveField = null;
    try {
      figures = { figs: stageFigures({ spec: r.lm.spec, image: r.pass.image, taps: r.pass.taps, classNames: r.lm.classNames.names, classIndex: this.s.figClass, ...(note ? { note } : {}) }) };
      if (this.s.pinned) receptiveField = this.receptiveFieldAt(this.s.pinned);
    } catch (e) {
      figures = { error: message(e) };
    }
    this.set({ figures, receptiveField });
  }

  // -------------------------------------------------------------------------------------
  // Messages

  private showMessage(text: string, kind: "note" | "error" = "note"): void {
    const box = this.s.message;
    this.set({
      messages: [...this.s.messages, text],
      message: kind === "note" && box?.kind === "note" ? { kind, lines: [...box.lines, text] } : { kind, lines: [text] },
      ...(kind === "error" ? { lastError: text } : {}),
    });
  }

  private clearMessage(): void {
    this.set({ message: null, lastError: null });
    for (const n of this.pendingNotes.splice(0)) this.showMessage(n);
  }

  private busy(text: string): void {
    this.set({ busyText: text });
  }

  // -------------------------------------------------------------------------------------
  // Images

  private async loadSample(url: string): Promise<void> {
    const r = await this.env.fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    const name = url.split("/").pop() ?? url;
    const sample = this.s.manifest?.samples.find((s) => s.url === url);
    const rgb = await this.env.decodeImage(new Uint8Array(await r.arrayBuffer()), name, "");
    this.set({ image: { name, rgb, origin: sampleOrigin(sample?.from ?? "") } });
  }

  private async loadImageFile(f: InputFile): Promise<void> {
    const rgb = await this.env.decodeImage(new Uint8Array(await f.arrayBuffer()), f.name, f.type);
    this.set({ image: { name: f.name, rgb, origin: userImageOrigin(f.name, rgb) }, userImage: f.name, sample: USER_IMAGE });
  }

  // -------------------------------------------------------------------------------------
  // Weights

  private async weightsChoice(): Promise<ChosenWeights> {
    const v = this.s.weights;
    const random = this.s.random;
    if (v === RANDOM) {
      return { key: `random:${random.width}:${random.classes}:${random.seed}`, choice: random, label: `random, seed ${random.seed}, width ${widthText(random.width)}, ${random.classes} classes` };
    }
    let entry = this.files.get(v);
    if (!entry && v.startsWith(PUBLISHED)) entry = await this.loadPublished(v);
    if (!entry && v.startsWith(PROJECT)) entry = await this.loadProject(v);
    if (!entry) throw new Error("choose a weights file first (Weights → your weights file…)");
    return { key: v, choice: { kind: "file", file: entry.file, label: entry.label }, label: entry.label };
  }

  private async loadProject(v: string): Promise<WeightsEntry> {
    const url = v.slice(PROJECT.length);
    const r = await this.env.fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    const name = url.split("/").pop()!;
    const entry = { file: await readWeightsBytes({ name, bytes: new Uint8Array(await r.arrayBuffer()) }), label: `trained: ${name}` };
    this.files.set(v, entry);
    return entry;
  }

  /**
   * A published net from the weights cache, through the server (scripts/explorer.mjs serves
   * the cached .caffemodel as it is): downloaded with progress, then read by the library's
   * bytes reader, the same code as a dropped file. What the registry knows (class names,
   * model, at-once) joins the file's metadata, as the library's loadWeights does in Node.
   */
  private async loadPublished(v: string): Promise<WeightsEntry> {
    const pub = publishedByValue(this.s.manifest, v);
    if (!pub) throw new Error(`${v.slice(PUBLISHED.length)} is not in the weights cache: ${fetchHint(v.slice(PUBLISHED.length))}, then reload`);
    // One published net in memory at a time: each holds ~540 MB of float32 on the page.
    for (const k of [...this.files.keys()]) if (k.startsWith(PUBLISHED)) this.files.delete(k);
    this.set({ publishedLoad: null });
    this.disposeModel();
    const t0 = performance.now();
    const bytes = await this.env.download(pub.url, (p) => this.busy(progressText(pub.name, p)));
    const downloadMs = performance.now() - t0;
    this.busy(`Reading ${pub.file} (${formatBytes(bytes.length)})…`);
    await this.env.nextFrame();
    const t1 = performance.now();
    const read = await readWeightsBytes({ name: pub.file, bytes });
    const parseMs = performance.now() - t1;
    const file = withPublishedMeta(read, { ...pub, model: pub.model as PublishedModel });
    this.set({ publishedLoad: { name: pub.name, bytes: bytes.length, downloadMs, parseMs } });
    const entry = { file, label: `the authors' ${pub.name}` };
    this.files.set(v, entry);
    return entry;
  }

  private async readWeightsFiles(files: readonly InputFile[]): Promise<void> {
    const named = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const file = await readWeightsBytes(named);
    const label = `your file: ${file.source ?? files[0]!.name}`;
    const key = `file:${file.source}:${Date.now()}`;
    this.files.set(key, { file, label });
    const found = inferWeightsConfig(file.params);
    const model = file.meta.model ?? found.model;
    const switches = model !== undefined && isFcn(model) && model !== this.s.model;
    this.pendingNotes.push(
      switches
        ? `Read ${file.source}: ${describeConfig(found)}. The model was switched to ${displayName(model)} to match it.`
        : `Read ${file.source} (${file.format}): ${describeConfig(found)}.${found.model === "vgg16" ? " VGG16 weights: the FCN is initialized from them by the paper's surgery (score layers zero), so it predicts background until trained." : ""}`,
    );
    this.set({ userWeights: [...this.s.userWeights, { key, label }], weights: key, ...(switches ? { model } : {}) });
  }

  private disposeModel(): void {
    this.loaded?.model.dispose();
    this.loaded = null;
    this.loadedKey = "";
  }

  // -------------------------------------------------------------------------------------
  // Running

  /** One pass with the current settings: backend, weights, input size, the pass, then the result shown. */
  async run(): Promise<void> {
    if (this.s.running) return;
    this.clearMessage();
    this.set({ running: true, busyText: "Starting the backend…" });
    const t0 = performance.now();
    const tick = setInterval(() => {
      if (this.s.running) this.busy(`${this.s.busyText.replace(/ \(\d+ s\)$/, "")} (${Math.round((performance.now() - t0) / 1000)} s)`);
    }, 1000);
    try {
      const backend = await this.ensureBackend();
      this.busy("Loading the weights…");
      const w = await this.weightsChoice();
      const lm = this.ensureModel(backend, w);
      const input = await this.planPass(backend, lm, w);
      const { pass, compileMs } = await this.pass(backend, lm, input.input);
      await this.show({ lm, pass, plan: input.plan, original: input.original, backend, labels: this.labelsOf(lm, pass), colors: labelColors(lm.classNames.names), compileMs });
    } catch (e) {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      this.showMessage(message(e), "error");
    } finally {
      clearInterval(tick);
      this.set({ runs: this.s.runs + 1, running: false, busyText: "Running…" });
      this.resolveReady();
    }
  }

  /** 1. The backend chosen, started once. */
  private async ensureBackend(): Promise<StartedBackend> {
    const choice = this.s.backendChoice;
    if (this.s.backend && this.startedChoice === choice) return this.s.backend;
    this.disposeModel();
    let b = await this.env.startBackend(choice, this.s.manifest!.wasmPath);
    this.startedChoice = choice;
    const fakeMax = this.options.maxTexture;
    if (fakeMax !== null && b.info.name === "webgl") {
      tf.env().set("WEBGL_MAX_TEXTURE_SIZE", fakeMax);
      b = { ...b, maxTextureSize: fakeMax };
    }
    // webglConv=direct: tfjs's experimental direct 3x3 convolution (no im2col matrices).
    if (b.info.name === "webgl") tf.env().set("WEBGL_EXP_CONV", this.options.directConv);
    this.set({ backend: b });
    if (b.skipped.length && choice === "auto") {
      const first = b.skipped[0]!;
      if (!/navigator\.gpu/.test(first) || b.info.name !== "webgl") this.showMessage(`Not on the preferred backend: ${b.skipped.join("; ")}.`);
    }
    return b;
  }

  /** 2. The model, built once per backend, architecture and weights. */
  private ensureModel(backend: StartedBackend, w: ChosenWeights): LoadedModel {
    const key = `${backend.info.name}|${this.s.model}|${w.key}`;
    if (!this.loaded || this.loadedKey !== key) {
      this.disposeModel();
      this.loaded = loadModel(this.s.model, w.choice, { maxBufferBytes: backend.maxBufferBytes });
      this.loadedKey = key;
    }
    const lm = this.loaded;
    const pub = publishedByValue(this.s.manifest, w.key);
    const load = this.s.publishedLoad;
    this.set({
      weightsStatus: {
        label: w.choice.kind === "random" ? `random (seed ${w.choice.seed})` : w.label,
        spec: lm.spec,
        classNames: lm.classNames,
        published: pub && load?.name === pub.name ? { net: pub, load } : null,
        // The preprocessing travels with the weights (their metadata, else the library's assumption).
        preprocess: lm.model.preprocess,
        modelCard: w.key.startsWith(PROJECT) ? this.s.manifest!.modelCard : null,
      },
    });
    for (const n of lm.notes) this.showMessage(n);
    return lm;
  }

  /** 3. The input: the user's cap, the net's minimum, the backend's limits; and what the page says about it. */
  private async planPass(backend: StartedBackend, lm: LoadedModel, w: ChosenWeights): Promise<PlannedInput> {
    if (!this.s.image) await this.loadSample(this.s.sample);
    const image = this.s.image!;
    const img = image.rgb;
    this.warnUnlike(lm, w, image);
    const plan = planInput(lm.spec, img.height, img.width, {
      maxSide: Number(this.s.maxSide) || Infinity,
      upscale: true,
      taps: headTaps(lm.spec),
      splitAbove: backend.maxBufferBytes,
      directConv: backend.maxTextureSize !== null && this.options.directConv,
      // What else is on the backend (as Model.forward counts it): the earlier result's tensors.
      otherBytes: Math.max(0, tf.memory().numBytes - weightBytes(lm.spec)),
      ...this.limitsOf(backend),
    });
    // Full width without a GPU: say what to expect before minutes of silence (the texture
    // planner's resize, when it happens, has its own note below).
    if (lm.spec.width === 1 && backend.software && (backend.info.name === "webgl" || backend.info.name === "webgpu")) {
      this.showMessage(
        `${displayName(lm.spec.model)} at full width (${(countParams(paramSpecs(lm.spec)) / 1e6).toFixed(1)}M parameters) on a software renderer (no GPU): ` +
          `a pass at ${plan.height}×${plan.width} takes minutes. Without a GPU the WASM backend is faster; a smaller "max side" helps too.`,
      );
    }
    this.set({ inputStatus: plan.resized ? `${img.height}×${img.width} → resized to ${plan.height}×${plan.width}` : `${plan.height}×${plan.width}` });
    // memory.ts words the limits' reason "at the larger size <why>".
    if (plan.reasons.some((r) => r.startsWith("at the larger size"))) {
      const rf = receptiveFields(lm.spec).get(lm.spec.output)!.rf;
      this.showMessage(
        `Resized from ${img.height}×${img.width} to ${plan.height}×${plan.width}: ${plan.reasons.join("; ")}. ` +
          `(Tiling is no way out: each output pixel of ${displayName(lm.spec.model)} sees ${rf}×${rf} px of input, so every tile would need margins wider than itself.)`,
      );
    }
    return { input: resizeRgb(img, plan.height, plan.width), plan, original: [img.height, img.width] };
  }

  /** Weights on an image unlike their training data (a sample, an opened or a dropped image alike). */
  private warnUnlike(lm: LoadedModel, w: ChosenWeights, image: InputImage): void {
    const pub = publishedByValue(this.s.manifest, w.key);
    const kind = w.choice.kind === "random" ? "random" : pub ? "published" : w.key.startsWith(PROJECT) ? "project" : "file";
    const unlike = mismatchWarning(
      weightsOrigin({ kind, classNames: lm.classNames.names, ...(pub ? { published: pub } : {}) }),
      image.origin,
      this.s.manifest!.samples.filter((s) => s.from === "models").map((s) => s.name),
    );
    if (unlike) this.showMessage(unlike);
  }

  /**
   * The backend's limits for the planner (as the CLI's): WebGL's textures, wasm's 4 GiB,
   * WebGPU's buffer limit. The input shrinks until the pass fits them, instead of tfjs
   * failing mid-pass or Model.forward refusing it. plan=0 skips them: to see what happens
   * without (tfjs throws on WebGL).
   */
  private limitsOf(backend: StartedBackend): { limits?: MemoryLimits } {
    if (!this.options.plan) return {};
    if (backend.maxTextureSize) return { limits: webglLimits(backend.maxTextureSize, tf.webgl_util.getTextureShapeFromLogicalShape) };
    return { limits: memoryLimits() };
  }

  /** 4. The pass (compiling the GPU programs first on WebGPU). */
  private async pass(backend: StartedBackend, lm: LoadedModel, input: RgbImage): Promise<{ pass: PassResult; compileMs: number | null }> {
    const gpu = backend.info.name === "webgl" || backend.info.name === "webgpu";
    const compileKey = `${backend.info.name}|${lm.spec.model}|${lm.spec.width}|${lm.spec.classes}|${input.height}x${input.width}`;
    const first = !this.compiled.has(compileKey) && gpu;
    this.busy(first ? (backend.info.name === "webgpu" ? "Compiling the GPU programs…" : "Running (first pass: compiling GPU programs)…") : "Running…");
    await this.env.nextFrame();
    const compileMs = first ? await compileAhead(lm, input) : null;
    if (compileMs !== null) this.busy("Running…");
    const pass = await runPass(lm, input);
    this.compiled.add(compileKey);
    this.set({ timeStatus: { passMs: pass.passMs, readMs: pass.readMs, first, compileMs } });
    return { pass, compileMs };
  }

  private labelsOf(lm: LoadedModel, pass: PassResult): Uint8Array {
    const score = pass.taps.get(lm.spec.output)!;
    return argmax({ data: score.data, shape: [...score.shape] }).data;
  }

  /** 5. The result: the view, the legend and the pixel panel at once, then the stage figures. */
  private async show(result: Result): Promise<void> {
    const score = result.pass.taps.get(result.lm.spec.output)!;
    this.set({ result, figuresMs: 0, pinned: null, hover: null, figClass: defaultClass(score) });
    this.busy("Drawing the stages…");
    await this.env.nextFrame();
    const t0 = performance.now();
    this.drawFigures();
    this.set({ figuresMs: performance.now() - t0 });
  }
}
