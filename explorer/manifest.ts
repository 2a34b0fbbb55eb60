/**
 * What `npm run explorer` found (scripts/explorer.mjs writes it as manifest.json next to
 * the page): the project's trained models under models/, the sample images, and the
 * authors' published nets in the weights cache (refreshed by the server on every request:
 * a net fetched while the explorer runs appears on reload). The page lists these; it
 * never guesses file names.
 */
export interface ManifestModel {
  /** URL relative to the page, e.g. "models/fcn8s-digits.safetensors". */
  readonly url: string;
  /** The file's name without extension. */
  readonly name: string;
  readonly bytes: number;
  /** The safetensors header's __metadata__ (fcn_viz.model, fcn_viz.classes, ...), as stored. */
  readonly metadata: Record<string, string>;
}

export interface ManifestSample {
  readonly url: string;
  readonly name: string;
  /** Where it comes from (sample-images/ or models/). */
  readonly from: string;
}

/** A published net in the weights cache (`npx fcn-viz fetch NAME` put it there). */
export interface ManifestPublished {
  /** The registry's name: "voc-fcn8s". */
  readonly name: string;
  readonly description: string;
  /** "fcn8s", "fcn32s", ... or "vgg16" (listed, but not an FCN to explore). */
  readonly model: string;
  readonly classes: number;
  readonly atOnce?: boolean;
  readonly licence: string;
  /** The cached file's name, e.g. "fcn8s-heavy-pascal.caffemodel". */
  readonly file: string;
  /** Its size on disk. */
  readonly bytes: number;
  /** Where the server hands it out, relative to the page: "published/voc-fcn8s". */
  readonly url: string;
  /** The registry's class names (VOC's 21, PASCAL-Context's 60, ...). */
  readonly classNames: readonly string[];
}

export interface ManifestPublishedListing {
  /** Where the server looked (for the "how to get one" line). */
  readonly cacheDir: string;
  readonly cached: readonly ManifestPublished[];
}

export interface Manifest {
  readonly generated: string;
  readonly models: readonly ManifestModel[];
  /** The models' card (models/README.md), when there is one. */
  readonly modelCard: string | null;
  readonly samples: readonly ManifestSample[];
  /** The tfjs-backend-wasm binaries, relative to the page (ends with "/"). */
  readonly wasmPath: string;
  readonly published: ManifestPublishedListing;
}
