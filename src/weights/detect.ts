/**
 * A weights file's format from its content (extensions lie: a Keras file may be called
 * .weights, a safetensors file .bin). Bytes in memory here; a path: detectWeightsFormat
 * in files.ts, with the same tests and messages.
 */
import { looksLikeCaffemodel } from "./caffemodel.js";
import { WeightsFileError } from "./errors.js";
import { MAX_HEADER_BYTES, safetensorsHeaderProblem } from "./safetensors.js";
import { ACCEPTED_FORMATS_TEXT, type WeightsFormat } from "./types.js";

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Enough of a file's start to see a .caffemodel's net name and first layer tag. */
export const HEAD_BYTES = 4096;

/**
 * The format of a whole file held in memory (a browser's File): "tfjs" means a JSON
 * document (a model.json). Throws the same error as detectWeightsFormat for anything
 * else. `name` is used in the message only.
 */
export function detectWeightsFormatOfBytes(bytes: Uint8Array, name: string): WeightsFormat {
  const at = (off: number) => HDF5_SIGNATURE.every((x, i) => bytes[off + i] === x);
  if (at(0)) return "keras-h5";
  for (let off = 512; off + 8 <= bytes.length && off <= 1 << 20; off *= 2) if (at(off)) return "keras-h5";
  const head = bytes.subarray(0, 64);
  if (looksLikeSafetensors(head, bytes.length)) return "safetensors";
  const broken = safetensorsHeaderProblem(head, bytes.length, name);
  if (broken) throw new WeightsFileError(name, broken);
  if (new TextDecoder().decode(head).trimStart()[0] === "{") return "tfjs";
  if (looksLikeCaffemodel(bytes.subarray(0, HEAD_BYTES), bytes.length)) return "caffemodel";
  throw new WeightsFileError(name, `${name} is not a weights file this tool reads${describeNonWeights(head, name)}. Accepted: ${ACCEPTED_FORMATS_TEXT}.`);
}

export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  return n >= 2 && n <= MAX_HEADER_BYTES && 8 + n <= size && head[8] === 0x7b; // '{'
}

/** Names common look-alikes, so the error says what the file is and what to do. */
export function describeNonWeights(b: Uint8Array, p: string): string {
  const starts = (...sig: number[]) => sig.every((x, i) => b[i] === x);
  if (b.length === 0) return " (it is empty)";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return " (it is a PNG image)";
  if (starts(0xff, 0xd8, 0xff)) return " (it is a JPEG image)";
  if (starts(0x47, 0x49, 0x46, 0x38)) return " (it is a GIF image)";
  if (starts(0x50, 0x4b, 0x03, 0x04)) {
    return " (it is a zip archive: a PyTorch .pt/.pth checkpoint or a Keras 3 .keras file? Convert PyTorch state dicts with safetensors.torch.save_file(model.state_dict(), 'x.safetensors'))";
  }
  if (b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5) return " (it is a Python pickle, e.g. an old PyTorch checkpoint; convert it to safetensors)";
  if (starts(0x1f, 0x8b)) return " (it is gzip-compressed; decompress it first)";
  const text = new TextDecoder().decode(b.subarray(0, 64)).trimStart();
  if (/^(name\s*:|layers?\s*\{|input\s*:)/.test(text)) {
    return " (it is a Caffe .prototxt: the net's definition as text, without weights; the weights are the binary .caffemodel)";
  }
  if (/\.caffemodel$/i.test(p)) return " (its name says .caffemodel, but it does not start like one: a Caffe net in binary protobuf; a partial or corrupt download?)";
  return "";
}
