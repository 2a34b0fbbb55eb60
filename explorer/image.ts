/**
 * Images for the explorer, as plain RGB bytes: the same decoder as the Node library
 * (src/io/image.ts: PNG and JPEG by content, alpha over white, EXIF orientation) and the
 * library's deterministic resize in plain JavaScript (src/io/resize.ts, no Node modules),
 * so a page in a browser, the CLI's --max-side and a test in Node turn the same file into
 * the same network input, byte for byte.
 */
export { resizeRgb } from "fcn-viz";
