/**
 * What `npm run explorer` found at build time (scripts/explorer.mjs writes it as
 * manifest.json next to the page): the project's trained models under models/ and the
 * sample images. The page lists these; it never guesses file names.
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

export interface Manifest {
  readonly generated: string;
  readonly models: readonly ManifestModel[];
  /** The models' card (models/README.md), when there is one. */
  readonly modelCard: string | null;
  readonly samples: readonly ManifestSample[];
  /** The tfjs-backend-wasm binaries, relative to the page (ends with "/"). */
  readonly wasmPath: string;
}
