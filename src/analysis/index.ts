/**
 * Reading a pass after the fact, from plain arrays (taps read back from any backend):
 * what each stream (pool5, pool4, pool3) adds to an output pixel's logits, and everything
 * the explorer's hover panel shows for a pixel. The explorer page and the notebooks use
 * the same functions.
 */
export { streamContributions, streamsOf, upsamplingWeights, type DeconvWeights, type HostMap, type Stream } from "./streams.js";
export { hoverInfo, type ClassScore, type HoverInfo, type HoverSource, type StreamCell } from "./hover.js";
