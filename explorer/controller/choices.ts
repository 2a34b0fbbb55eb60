/**
 * What the page offers, from its manifest (what `npm run explorer` found): the weights
 * menu (the authors' published nets in the weights cache, the project's trained models,
 * random weights, the user's files), the images, and what to start with given the URL.
 * Plain data in, plain data out: the views turn the menus into <select>s.
 */
import { BACKEND_NAMES, formatBytes, isPublishedName, publishedWeights, sizeText, widthText, type BackendName } from "fcn-viz";
import { displayName } from "../format.js";
import type { Manifest, ManifestModel, ManifestPublished } from "../manifest.js";
import { isFcn, type FcnModel } from "../pipeline.js";
import type { ExplorerOptions, RandomWeights } from "./options.js";

/** Weights menu values: "published:NAME", "project:URL", "random", "file:pick", and "file:…" for files read. */
export const PUBLISHED = "published:";
export const PROJECT = "project:";
export const RANDOM = "random";
export const PICK_FILE = "file:pick";
/** The image menu's entry for the user's own image. */
export const USER_IMAGE = "file";

/** The max-side menu (px). */
export const MAX_SIDES: readonly string[] = ["128", "192", "256", "384", "500", "768", "1024"];

export interface MenuOption {
  readonly value: string;
  readonly text: string;
  readonly title?: string;
  readonly disabled?: boolean;
}

export interface MenuGroup {
  readonly label: string;
  readonly options: readonly MenuOption[];
}

/** A weights file the user opened or dropped, as the menu lists it. */
export interface UserWeights {
  readonly key: string;
  readonly label: string;
}

const modelOfMeta = (m: ManifestModel): string | undefined => m.metadata["fcn_viz.model"];

/** The trained FCNs among models/ (a VGG16 classifier there is not an FCN to explore). */
export function trainedFcns(manifest: Manifest): ManifestModel[] {
  return manifest.models.filter((m) => {
    const mm = modelOfMeta(m);
    return mm === undefined || isFcn(mm);
  });
}

/** The trained weights for an architecture: models/<model>.safetensors first, else any for it. */
export function trainedFor(manifest: Manifest, model: string): ManifestModel | undefined {
  const fcns = trainedFcns(manifest);
  return fcns.find((m) => m.name === model) ?? fcns.find((m) => modelOfMeta(m) === model);
}

/** The authors' FCNs in the weights cache, in the registry's order (VGG16 is a classifier: not offered). */
export function publishedFcns(manifest: Manifest): ManifestPublished[] {
  return (manifest.published?.cached ?? []).filter((p) => isFcn(p.model));
}

/** The published net a weights value names, if it is one in the cache. */
export function publishedByValue(manifest: Manifest | null, v: string): ManifestPublished | undefined {
  return manifest && v.startsWith(PUBLISHED) ? publishedFcns(manifest).find((p) => p.name === v.slice(PUBLISHED.length)) : undefined;
}

/** "FCN-8s · authors' voc-fcn8s (21 classes)"; the size and licence are in its tooltip. */
function publishedLabel(p: ManifestPublished): string {
  return `${displayName(p.model)}${p.atOnce ? " at-once" : ""} · authors' ${p.name} (${p.classes} classes)`;
}

/** The net the page suggests fetching when none is cached. */
export const FETCH_SUGGESTED = "voc-fcn8s";
export const fetchCommand = (name: string): string => `npx fcn-viz fetch ${name}`;
/** The command that gets a published net, with its size. */
export const fetchHint = (name = FETCH_SUGGESTED): string => `${fetchCommand(name)} (${sizeText(publishedWeights(name))})`;

/** When no published net is cached: the command that gets the suggested one, its size, and where the page looked. */
export function fetchSuggestion(manifest: Manifest): { command: string; size: string; cacheDir: string } | null {
  if (publishedFcns(manifest).length) return null;
  return { command: fetchCommand(FETCH_SUGGESTED), size: sizeText(publishedWeights(FETCH_SUGGESTED)), cacheDir: manifest.published?.cacheDir ?? "the weights cache" };
}

/**
 * The weights an architecture starts with: the authors' net for it when one is cached
 * (the first in the registry's order: voc-fcn8s before the at-once and PASCAL-Context
 * variants), else the project's trained one, else seeded random weights.
 */
export function defaultWeightsFor(manifest: Manifest, model: string): string {
  const pub = publishedFcns(manifest).find((p) => p.model === model);
  if (pub) return PUBLISHED + pub.name;
  const trained = trainedFor(manifest, model);
  return trained ? PROJECT + trained.url : RANDOM;
}

/** The weights menu: published nets, trained models, then random weights, the user's files and "your weights file…". */
export function weightsMenu(manifest: Manifest, random: RandomWeights, files: readonly UserWeights[]): MenuGroup[] {
  const pubs = publishedFcns(manifest);
  const published: MenuOption[] = pubs.length
    ? pubs.map((p) => ({ value: PUBLISHED + p.name, text: publishedLabel(p), title: `${p.description}. ${p.file}, ${formatBytes(p.bytes)}. Licence: ${p.licence}` }))
    : [{ value: `${PUBLISHED}none`, text: `none in the cache: ${fetchHint()}, then reload`, disabled: true }];
  const trained = trainedFcns(manifest).map((m): MenuOption => {
    const meta = m.metadata;
    const bits = [meta["fcn_viz.model"], meta["fcn_viz.classes"] && `${meta["fcn_viz.classes"]} classes`, meta["fcn_viz.width"] && `width ${widthText(Number(meta["fcn_viz.width"]))}`].filter(Boolean);
    return { value: PROJECT + m.url, text: `trained: ${m.name}${bits.length ? ` (${bits.join(", ")})` : ""}` };
  });
  return [
    { label: "The authors' published nets (weights cache)", options: published },
    { label: "Trained by this project (models/)", options: trained },
    {
      label: "Other",
      options: [
        { value: RANDOM, text: `random (seed ${random.seed}, width ${widthText(random.width)}, ${random.classes} classes)` },
        ...files.map((f) => ({ value: f.key, text: f.label })),
        { value: PICK_FILE, text: "your weights file… (.caffemodel, .safetensors, .h5, tfjs)" },
      ],
    },
  ];
}

/** An option's text by its value. */
export function menuText(groups: readonly MenuGroup[], value: string): string | undefined {
  for (const g of groups) for (const o of g.options) if (o.value === value) return o.text;
  return undefined;
}

/** The image menu: the samples, then the user's image once there is one. */
export function sampleMenu(manifest: Manifest | null, userImage: string | null): MenuOption[] {
  const samples = (manifest?.samples ?? []).map((s) => ({ value: s.url, text: s.name }));
  return userImage === null ? samples : [...samples, { value: USER_IMAGE, text: `your image: ${userImage}` }];
}

/** What the page starts with. */
export interface InitialChoices {
  readonly model: FcnModel;
  readonly weights: string;
  readonly sample: string;
  readonly backend: BackendName;
  readonly maxSide: string;
  readonly maxSides: readonly string[];
  /** What the page says about the URL's choice (a net not in the cache...), shown with the first run. */
  readonly notes: readonly string[];
}

/**
 * The URL's choices where they name something the page has, else the best there is: the
 * model asked for (else the weights' own), the weights asked for (else the architecture's
 * default; without a model asked for, any published net beats trained digit weights, and
 * any trained net beats random ones), and an image that suits the weights (a photo for
 * the authors' nets, a digit scene for the digit models).
 */
export function initialChoices(manifest: Manifest, o: ExplorerOptions, start: { model: FcnModel; backend: BackendName; maxSide: string }): InitialChoices {
  const asked = o.model;
  let model: FcnModel = asked && isFcn(asked) ? asked : start.model;
  const w = o.weights;
  const fcns = trainedFcns(manifest);
  const pubs = publishedFcns(manifest);
  const wantedPub = w === null ? undefined : w.startsWith(PUBLISHED) ? w.slice(PUBLISHED.length) : w;
  const pub = wantedPub === undefined ? undefined : pubs.find((p) => p.name === wantedPub);
  const project = w === null ? undefined : w === "project" ? (trainedFor(manifest, model) ?? fcns[0]) : fcns.find((m) => m.name === w);
  const notes: string[] = [];
  let weights: string;
  const follow = (mm: string | undefined) => {
    if (!asked && mm && isFcn(mm)) model = mm;
  };
  if (w === RANDOM) weights = RANDOM;
  else if (pub) {
    weights = PUBLISHED + pub.name;
    follow(pub.model);
  } else if (project) {
    weights = PROJECT + project.url;
    follow(modelOfMeta(project));
  } else {
    const notFcn = manifest.published?.cached.find((p) => p.name === wantedPub);
    if (notFcn) {
      notes.push(`${notFcn.name} is not an FCN (${notFcn.description}): the explorer runs FCN-32s, 16s and 8s.`);
    } else if (wantedPub !== undefined && isPublishedName(wantedPub)) {
      notes.push(`${wantedPub} is not in the weights cache (${manifest.published?.cacheDir ?? "?"}): ${fetchHint(wantedPub)} gets it; then reload.`);
    } else if (w !== null) {
      notes.push(`weights=${w}: no such weights here (published nets: ${pubs.map((p) => PUBLISHED + p.name).join(", ") || "none cached"}; trained: ${fcns.map((m) => m.name).join(", ") || "none"}; or random).`);
    }
    weights = defaultWeightsFor(manifest, model);
    if (!asked && !weights.startsWith(PUBLISHED) && pubs[0]) weights = PUBLISHED + pubs[0].name;
    if (weights === RANDOM && fcns[0]) weights = PROJECT + fcns[0].url;
    const chosen = publishedByValue(manifest, weights) ?? fcns.find((m) => PROJECT + m.url === weights);
    follow(chosen ? ("metadata" in chosen ? modelOfMeta(chosen) : chosen.model) : undefined);
  }

  const samples = manifest.samples;
  const photo = samples.find((s) => s.name === "chelsea") ?? samples.find((s) => s.from !== "models");
  const digits = samples.find((s) => s.from === "models");
  const pick = samples.find((s) => s.name === o.sample) ?? (weights.startsWith(PUBLISHED) ? photo : (digits ?? photo)) ?? samples[0];

  const backend = o.backend !== null && (BACKEND_NAMES as readonly string[]).includes(o.backend) ? (o.backend as BackendName) : start.backend;
  const side = o.maxSide;
  const maxSides = side && !MAX_SIDES.includes(side) ? [...MAX_SIDES, side] : MAX_SIDES;
  return { model, weights, sample: pick?.url ?? "", backend, maxSide: side || start.maxSide, maxSides, notes };
}
