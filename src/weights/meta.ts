import { MODEL_NAMES, type ModelName } from "../net/spec.js";
import { isPreprocess, type Preprocess } from "../preprocess.js";
import type { WeightsMeta } from "./types.js";

/**
 * WeightsMeta in the two shapes files can hold it: a JSON object (tfjs model.json) and
 * flat string -> string pairs (safetensors `__metadata__`, HDF5 string attributes).
 * Reading validates, so a file with a bad value fails at load with the key named,
 * not later inside the model.
 */

/** Prefix of every key this project writes into string metadata. */
export const META_PREFIX = "fcn_viz.";

const KEYS = {
  model: `${META_PREFIX}model`,
  classes: `${META_PREFIX}classes`,
  width: `${META_PREFIX}width`,
  preprocess: `${META_PREFIX}preprocess`,
  classNames: `${META_PREFIX}class_names`,
  notes: `${META_PREFIX}notes`,
  bilinear: `${META_PREFIX}bilinear`,
  atOnce: `${META_PREFIX}at_once`,
} as const;

export function metaToStrings(meta: WeightsMeta): Record<string, string> {
  const out: Record<string, string> = {};
  if (meta.model !== undefined) out[KEYS.model] = meta.model;
  // String(x) is the shortest text that parses back to the same double.
  if (meta.classes !== undefined) out[KEYS.classes] = String(meta.classes);
  if (meta.width !== undefined) out[KEYS.width] = String(meta.width);
  if (meta.preprocess !== undefined) out[KEYS.preprocess] = JSON.stringify(meta.preprocess);
  if (meta.classNames !== undefined) out[KEYS.classNames] = JSON.stringify(meta.classNames);
  if (meta.notes !== undefined && Object.keys(meta.notes).length > 0) out[KEYS.notes] = JSON.stringify(meta.notes);
  if (meta.bilinear !== undefined && meta.bilinear.length > 0) out[KEYS.bilinear] = JSON.stringify(meta.bilinear);
  if (meta.atOnce !== undefined) out[KEYS.atOnce] = String(meta.atOnce);
  return out;
}

/**
 * Reads the prefixed keys; other keys (written by other tools) become notes, except
 * those in `ignore`.
 */
export function metaFromStrings(rec: Record<string, string>, where: string, ignore: readonly string[] = []): WeightsMeta {
  const json: Record<string, unknown> = {};
  const notes: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k === KEYS.model) json.model = v;
    else if (k === KEYS.classes) json.classes = parseNumber(v, k, where);
    else if (k === KEYS.width) json.width = parseNumber(v, k, where);
    else if (k === KEYS.preprocess) json.preprocess = parseJson(v, k, where);
    else if (k === KEYS.classNames) json.classNames = parseJson(v, k, where);
    else if (k === KEYS.notes) Object.assign(notes, parseJson(v, k, where));
    else if (k === KEYS.bilinear) json.bilinear = parseJson(v, k, where);
    else if (k === KEYS.atOnce) json.atOnce = parseJson(v, k, where);
    else if (!ignore.includes(k)) notes[k] = v;
  }
  if (Object.keys(notes).length > 0) json.notes = notes;
  return metaFromJson(json, where);
}

/** Validates a JSON WeightsMeta (unknown keys are an error: they are probably typos). */
export function metaFromJson(x: unknown, where: string): WeightsMeta {
  if (x === undefined || x === null) return {};
  if (typeof x !== "object" || Array.isArray(x)) throw new Error(`${where}: metadata must be an object, got ${JSON.stringify(x)}`);
  const o = x as Record<string, unknown>;
  const meta: { -readonly [K in keyof WeightsMeta]: WeightsMeta[K] } = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    switch (k) {
      case "model":
        if (typeof v !== "string" || !(MODEL_NAMES as readonly string[]).includes(v)) {
          throw new Error(`${where}: model ${JSON.stringify(v)} is not one of ${MODEL_NAMES.join(", ")}`);
        }
        meta.model = v as ModelName;
        break;
      case "classes":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`${where}: classes must be a positive integer, got ${JSON.stringify(v)}`);
        meta.classes = v;
        break;
      case "width":
        if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) throw new Error(`${where}: width must be a positive number, got ${JSON.stringify(v)}`);
        meta.width = v;
        break;
      case "preprocess":
        if (!isPreprocess(v)) throw new Error(`${where}: preprocess ${JSON.stringify(v)} is not a Preprocess (channelOrder, scale, mean[3], std[3], source)`);
        meta.preprocess = v as Preprocess;
        break;
      case "classNames":
        meta.classNames = classNamesFromJson(v, where);
        break;
      case "notes": {
        if (typeof v !== "object" || v === null || Array.isArray(v) || Object.values(v).some((s) => typeof s !== "string")) {
          throw new Error(`${where}: notes must map strings to strings, got ${JSON.stringify(v)}`);
        }
        meta.notes = { ...(v as Record<string, string>) };
        break;
      }
      case "bilinear":
        if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new Error(`${where}: bilinear must be a list of layer names, got ${JSON.stringify(v)}`);
        meta.bilinear = [...(v as string[])];
        break;
      case "atOnce":
        if (typeof v !== "boolean") throw new Error(`${where}: atOnce must be true or false, got ${JSON.stringify(v)}`);
        meta.atOnce = v;
        break;
      default:
        throw new Error(`${where}: unknown metadata key "${k}" (known: model, classes, width, preprocess, classNames, notes, bilinear, atOnce)`);
    }
  }
  if (meta.atOnce && meta.model !== undefined && meta.model !== "fcn8s") {
    throw new Error(`${where}: atOnce is a variant of fcn8s, but the metadata's model is ${meta.model}`);
  }
  if (meta.classNames !== undefined && meta.classes !== undefined && meta.classNames.length !== meta.classes) {
    throw new Error(
      `${where}: classNames (${KEYS.classNames}) lists ${meta.classNames.length} names but classes says ${meta.classes}: ` +
        `give one name per class, in label order, or drop the names`,
    );
  }
  return meta;
}

/** One name per class, in label order; names may repeat (ImageNet has two "crane"s), none may be blank. */
function classNamesFromJson(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new Error(`${where}: classNames (${KEYS.classNames}) must be a non-empty list of class names, got ${JSON.stringify(v)?.slice(0, 200)}`);
  }
  const bad = v.findIndex((s) => typeof s !== "string" || s.trim() === "");
  if (bad >= 0) {
    throw new Error(`${where}: classNames (${KEYS.classNames}) item ${bad} is ${JSON.stringify(v[bad])}: every class needs a name (a non-empty string)`);
  }
  return [...(v as string[])];
}

function parseNumber(v: string, key: string, where: string): number {
  const n = Number(v);
  if (v.trim() === "" || Number.isNaN(n)) throw new Error(`${where}: metadata ${key} = ${JSON.stringify(v)} is not a number`);
  return n;
}

function parseJson(v: string, key: string, where: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`${where}: metadata ${key} is not valid JSON: ${JSON.stringify(v.slice(0, 200))}`);
  }
}
