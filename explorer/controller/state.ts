/**
 * Everything the page shows, as data: the settings the menus hold, what runs (backend,
 * weights, input, timings), the result of the last pass, the pixel under the mouse, the
 * figures, the busy overlay and the message box. The controller replaces it (never edits
 * it) on every action, so a view redraws a panel when the fields it reads changed.
 */
import type { BackendName, ClassNames, HoverInfo, InputPlan, NetSpec, Preprocess, RgbImage } from "fcn-viz";
import type { LabelColors } from "fcn-viz/viz";
import type { StartedBackend } from "../backends.js";
import type { StageFigure } from "../figures.js";
import type { Manifest, ManifestPublished } from "../manifest.js";
import type { FcnModel, LoadedModel, PassResult } from "../pipeline.js";
import type { ImageOrigin } from "../training-domain.js";
import { MAX_SIDES, type UserWeights } from "./choices.js";
import type { RandomWeights } from "./options.js";

/** The input, and what it is (a digit scene or a photo: training-domain.ts). */
export interface InputImage {
  readonly name: string;
  readonly rgb: RgbImage;
  readonly origin: ImageOrigin;
}

/** How the last published net was loaded (bytes, download and parse times). */
export interface PublishedLoad {
  readonly name: string;
  readonly bytes: number;
  readonly downloadMs: number;
  readonly parseMs: number;
}

/** What the status line says about the weights. */
export interface WeightsStatus {
  /** "the authors' voc-fcn8s", "random (seed 0)", "your file: …". */
  readonly label: string;
  readonly spec: NetSpec;
  readonly classNames: ClassNames;
  /** A published net, with how it was loaded. */
  readonly published: { readonly net: ManifestPublished; readonly load: PublishedLoad } | null;
  readonly preprocess: Preprocess;
  /** The project's model card, for the project's weights. */
  readonly modelCard: string | null;
}

/** What the status line says about the pass. */
export interface TimeStatus {
  readonly passMs: number;
  readonly readMs: number;
  /** The first pass of this net and size on a GPU backend (it compiles the GPU programs). */
  readonly first: boolean;
  /** WebGPU's compile-ahead time, when it ran. */
  readonly compileMs: number | null;
}

export interface Result {
  readonly lm: LoadedModel;
  readonly pass: PassResult;
  readonly plan: InputPlan;
  readonly original: readonly [number, number];
  readonly backend: StartedBackend;
  readonly labels: Uint8Array;
  /** Class colours from the weights' class names (the digit models' categorical palette, else VOC's). */
  readonly colors: LabelColors;
  readonly compileMs: number | null;
}

/** The pixel panel: a pixel's numbers, and whether it is pinned (clicked). */
export interface PixelHover {
  readonly info: HoverInfo;
  readonly pinned: boolean;
}

/** The message box: notes pile up, an error replaces them. */
export interface MessageBox {
  readonly kind: "note" | "error";
  readonly lines: readonly string[];
}

export type Figures = { readonly figs: readonly StageFigure[] } | { readonly error: string };

export interface ExplorerState {
  readonly manifest: Manifest | null;
  readonly random: RandomWeights;

  // The settings, as the menus show them.
  /** A sample's URL, or "file" for the user's image. */
  readonly sample: string;
  /** The user's image's name, once they opened or dropped one. */
  readonly userImage: string | null;
  readonly model: FcnModel;
  /** The weights menu's value (see choices.ts). */
  readonly weights: string;
  /** Weights files the user read, listed in the weights menu. */
  readonly userWeights: readonly UserWeights[];
  readonly backendChoice: BackendName;
  readonly maxSide: string;
  readonly maxSides: readonly string[];
  /** The result view's overlay opacity, 0-100. */
  readonly opacity: number;
  /** The class of figures 2 and 3. */
  readonly figClass: number;

  // What runs.
  readonly backend: StartedBackend | null;
  readonly image: InputImage | null;
  readonly publishedLoad: PublishedLoad | null;
  readonly weightsStatus: WeightsStatus | null;
  /** "500×375 → resized to 333×250". */
  readonly inputStatus: string | null;
  readonly timeStatus: TimeStatus | null;

  // The last pass and what is shown of it.
  readonly result: Result | null;
  /** Drawing the stage figures took (ms); 0 until they are drawn. */
  readonly figuresMs: number;
  readonly figures: Figures | null;
  /** The receptive-field figure of the pinned pixel (it stays when the pixel is unpinned). */
  readonly receptiveField: StageFigure | null;
  /** Pixels as (x, y). */
  readonly pinned: readonly [number, number] | null;
  readonly hovered: readonly [number, number] | null;
  /** null: the panel's "hover the result" line. */
  readonly hover: PixelHover | null;

  // Progress and messages.
  readonly running: boolean;
  readonly busyText: string;
  readonly message: MessageBox | null;
  /** Every message so far (for the tests). */
  readonly messages: readonly string[];
  readonly lastError: string | null;
  /** Runs finished (with or without an error): tests wait for it to move. */
  readonly runs: number;
  /** The first run (or the start, with autorun=0) is over. */
  readonly ready: boolean;
}

export function initialState(random: RandomWeights): ExplorerState {
  return {
    manifest: null,
    random,
    sample: "",
    userImage: null,
    model: "fcn8s",
    weights: "",
    userWeights: [],
    backendChoice: "auto",
    maxSide: "500",
    maxSides: MAX_SIDES,
    opacity: 55,
    figClass: 0,
    backend: null,
    image: null,
    publishedLoad: null,
    weightsStatus: null,
    inputStatus: null,
    timeStatus: null,
    result: null,
    figuresMs: 0,
    figures: null,
    receptiveField: null,
    pinned: null,
    hovered: null,
    hover: null,
    running: false,
    busyText: "Running…",
    message: null,
    messages: [],
    lastError: null,
    runs: 0,
    ready: false,
  };
}
