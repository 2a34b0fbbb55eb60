/** What `fcn-viz train evaluate` writes to models/results.json (and the model card reads). */
import type { PipelineConfig } from "./config.js";
import type { SegEvaluation } from "./scoring.js";
import type { StageReport } from "./stages.js";

export interface Results {
  /** The whole configuration the models were trained and scored with. */
  readonly config: PipelineConfig;
  readonly preset: string;
  readonly seed: number;
  readonly width: number;
  readonly backend: string;
  readonly dtype: string;
  readonly scenes: PipelineConfig["scenes"];
  readonly digits: { readonly train: number; readonly val: number; readonly test: number };
  readonly classifier: {
    readonly testAccuracy: number;
    readonly testDigits: number;
    readonly ciAccuracy: number;
    readonly ciDigits: number;
    readonly report: StageReport | null;
    readonly bytes: number;
  };
  readonly models: Record<
    string,
    {
      readonly test: SegEvaluation;
      readonly ci: SegEvaluation;
      /** Figures on each shifted test set (config.evaluation.beyond), by its name. */
      readonly beyond: Record<string, SegEvaluation>;
      /** The same on each set's first `ciScenes` scenes, which CI re-scores. */
      readonly beyondCi: Record<string, SegEvaluation>;
      readonly report: StageReport | null;
      readonly bytes: number;
    }
  >;
  /** The heat map figure's digit classes, panel by panel (null if the heatmap stage did not run). */
  readonly heatmapClasses: number[] | null;
  readonly evaluatedAt: string;
  readonly evaluationSeconds: number;
}
