/**
 * One place for the look of every figure: fonts, sizes, greys, spacing, and the few
 * annotation colours (taken from d3's Tableau10 scheme, not hand-picked).
 */
import { schemeTableau10 } from "d3";

/**
 * Font stack. DejaVu Sans is what the PNG renderer loads on Linux; Verdana (its
 * metric twin, both descend from Bitstream Vera) keeps the layout on Windows/macOS
 * browsers; then the usual sans-serif fallbacks. Layout widths are measured with
 * DejaVu Sans metrics (see text.ts), so narrower fallback fonts only add slack.
 */
export const FONT_FAMILY = "DejaVu Sans, Verdana, Bitstream Vera Sans, Helvetica, Arial, sans-serif";

export const FONT = {
  /** Figure title. */
  title: 15,
  /** The grey line under the title. */
  subtitle: 11.5,
  /** Panel titles, legend entries. */
  label: 11,
  /** Axis ticks, channel indices, table cells. */
  tick: 10,
  /** Small print inside panels: the smallest text of any figure (see MAX_WIDTH). */
  small: 10,
} as const;

/**
 * Widest a figure is drawn, in px. JupyterLab shrinks a wider output to the width of the
 * cell (848 px measured in a 1280 px window with the file browser open) and its text with
 * it: a 1160 px figure's 10 px labels became 7 px. Figures lay themselves out within this
 * width (fewer columns, smaller panels), so text stays at its size: never under 10 px.
 */
export const MAX_WIDTH = 840;

export const INK = {
  /** Body text. */
  text: "#222222",
  /** Secondary text (subtitles, units). */
  muted: "#666666",
  /** Frames and axis lines. */
  line: "#999999",
  /** Faint grid lines. */
  grid: "#d9d9d9",
  /** Page background. */
  background: "#ffffff",
  /** Panel background behind maps that do not cover the panel. */
  panel: "#f4f4f4",
} as const;

/** Annotation colours, from d3.schemeTableau10. */
export const ACCENT = {
  /** Crop rectangles, selected cells. */
  crop: schemeTableau10[1]!, // orange
  /** Receptive fields. */
  field: schemeTableau10[0]!, // blue
  /** Cell centres, strides. */
  centre: schemeTableau10[2]!, // red
  /** Skip paths in the architecture diagram. */
  skip: schemeTableau10[8]!, // brown
  /** Second series (1D plots). */
  second: schemeTableau10[6]!, // pink
} as const;

/** Spacing in px. */
export const SPACE = {
  /** Outer margin of every figure. */
  margin: 16,
  /** Between panels. */
  gap: 14,
  /** Between a panel title and its panel. */
  titleGap: 4,
} as const;
