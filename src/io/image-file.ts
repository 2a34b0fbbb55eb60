/** Images from paths (Node): a PNG or JPEG file decoded, the path naming it in errors. */
import { readFile } from "node:fs/promises";
import { fsCause } from "./files.js";
import { decodeImage, type DecodedImage } from "./image.js";

/** Reads and decodes a PNG or JPEG file (EXIF orientation applied, as decodeImage does). */
export async function readImage(path: string): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new Error(`cannot read image "${path}": ${fsCause(e)}`, { cause: e });
  }
  return decodeImage(bytes, path);
}
