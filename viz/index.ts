/**
 * fcn-viz figures: pure functions from plain arrays (NHWC taps as { data, shape }) to
 * figures that become SVG, PNG, or plotly specs. Show them in a notebook with
 * `show()` from viz/tslab.ts (re-exported here; it loads tslab only when called).
 */
export { Figure, PlotlyFigure, type AnyFigure, type PngOptions } from "./figure.js";
export { plotlyHTML, plotlyJsSource, type PlotlySpec, type PlotlyHTMLOptions } from "./plotly.js";
// The shared facts, from core/ (plain arrays, images, labels, colours, metrics, coordinates).
export { asHWC, asLabels, argmax, channel, type ArrayND, type HWC, type Labels } from "../core/arrays.js";
export { asRGB, type ImageInput, type RgbImage } from "../core/image.js";
export { IGNORE_LABEL } from "../core/labels.js";
export { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
export { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
export { VOC_PALETTE, vocColor, labelCss, labelName, CATEGORICAL_PALETTE, classColors, paletteFor, cssToRgb, labelColors, type LabelColors, type PaletteName, type RGB } from "../core/palette.js";
export { toImage, blobExtent, type CoordMap } from "../core/coord-map.js";
export type { LayerKind, LayerOp, LayerRole, NetDescription, NetLayer } from "../core/net-description.js";
export { bilinearKernelInfo, type BilinearKernel } from "../core/bilinear.js";
export { confusionMatrix, emptyConfusion, segmentationMetrics, scoreSegmentation, type Confusion, type SegMetrics } from "../core/metrics.js";
export { colorScale, autoScale, lut, COLOR_MAP_LABEL, type ColorMapName, type ColorScale } from "./colors.js";
export { blobRect, imageRect, type Rect } from "./geometry.js";
export { fmtPos } from "./components.js";
export { fontSetup, describeFonts, type FontSetup } from "./fonts.js";
export { featureGrid, topChannels, type FeatureGridOptions } from "./figures/featureGrid.js";
export { scoreMaps, type ScoreMapsOptions } from "./figures/scoreMaps.js";
export { upsamplingStages, type UpsamplingStage, type UpsamplingOptions } from "./figures/upsampling.js";
export { skipFusion, type FusionStep, type NamedTap, type SkipFusionOptions } from "./figures/skipFusion.js";
export { compareModels, type ComparisonRow, type CompareOptions } from "./figures/compare.js";
export { segmentationOverlay, type OverlayOptions } from "./figures/overlay.js";
export { imageRow, type ImageRowItem, type ImageRowOptions } from "./figures/imageRow.js";
export { heatOverlay, type ProbabilityGrid } from "./figures/heatOverlay.js";
export { bilinearKernelFigure, bilinearSurface, type BilinearOptions } from "./figures/bilinear.js";
export { architectureDiagram, type ArchitectureOptions } from "./figures/architecture.js";
export { receptiveFieldFigure, type ReceptiveFieldOptions } from "./figures/receptiveField.js";
export { metricsFigure, type MetricsFigureOptions } from "./figures/metricsFigure.js";
export { interactiveScores, type InteractiveScoresOptions } from "./figures/interactive.js";
export { show, displayBundle, resetPlotlySession, type ShowOptions, type DisplayBundle } from "./tslab.js";
/** Seeded synthetic taps, scores, images and labels shaped like the model's (demos and tests without weights). */
export * as synthetic from "./synthetic.js";
