/**
 * Label facts shared by the data, the metrics and the figures.
 *
 * Pixels labelled 255 are not scored: PASCAL VOC's object borders and "difficult"
 * regions, and the anti-aliased rim of every stroke in the project's digit scenes. They
 * are left out of the loss, the confusion matrix and the metrics, and drawn as stripes.
 */
export const IGNORE_LABEL = 255;
