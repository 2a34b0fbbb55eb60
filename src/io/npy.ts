/**
 * NumPy .npy files (format versions 1.0, 2.0, 3.0), the way arrays travel between this
 * project and Python: taps written by the CLI, preprocessed inputs, reference outputs.
 *
 * Layout (numpy/lib/format.py): "\x93NUMPY", major, minor, header length (uint16 LE in
 * v1, uint32 LE in v2/v3), then a Python dict literal such as
 * "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" padded with spaces and a
 * final "\n" so the data starts on a 64-byte boundary, then the raw C-order data.
 * Everything is converted to float32, which is what tfjs computes in.
 */

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** dtypes we read: byte size and how to turn n little-endian values into float32. */
const READERS: Record<string, { size: number; read: (v: DataView, off: number, n: number) => Float32Array }> = {
  f4: { size: 4, read: (v, o, n) => convert(n, (i) => v.getFloat32(o + 4 * i, true)) },
  f8: { size: 8, read: (v, o, n) => convert(n, (i) => v.getFloat64(o + 8 * i, true)) },
  i1: { size: 1, read: (v, o, n) => convert(n, (i) => v.getInt8(o + i)) },
  u1: { size: 1, read: (v, o, n) => convert(n, (i) => v.getUint8(o + i)) },
  b1: { size: 1, read: (v, o, n) => convert(n, (i) => (v.getUint8(o + i) ? 1 : 0)) },
  i2: { size: 2, read: (v, o, n) => convert(n, (i) => v.getInt16(o + 2 * i, true)) },
  u2: { size: 2, read: (v, o, n) => convert(n, (i) => v.getUint16(o + 2 * i, true)) },
  i4: { size: 4, read: (v, o, n) => convert(n, (i) => v.getInt32(o + 4 * i, true)) },
  u4: { size: 4, read: (v, o, n) => convert(n, (i) => v.getUint32(o + 4 * i, true)) },
  // Values beyond 2^53 lose precision in the Number step; float32 loses more anyway.
  i8: { size: 8, read: (v, o, n) => convert(n, (i) => Number(v.getBigInt64(o + 8 * i, true))) },
  u8: { size: 8, read: (v, o, n) => convert(n, (i) => Number(v.getBigUint64(o + 8 * i, true))) },
};

function convert(n: number, get: (i: number) => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Read a .npy file into float32 (C order only). Throws a descriptive Error otherwise,
 * starting with `name` (the file) when given.
 */
export function readNpy(bytes: Uint8Array, name?: string): NpyArray {
  try {
    return parseNpy(bytes);
  } catch (e) {
    if (name === undefined || !(e instanceof Error)) throw e;
    throw new Error(`${name}: ${e.message}`, { cause: e });
  }
}

function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new Error(`not an .npy file (no \\x93NUMPY magic): it looks like ${describeContent(bytes)}`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error("truncated .npy file: the header length is cut off");
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`unsupported .npy format version ${major}.${minor} (this reader knows 1.0, 2.0 and 3.0)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) {
    throw new Error(`truncated .npy file: the header says it is ${headerLen} bytes, the file has ${bytes.length - headerStart} after the preamble`);
  }
  // v1/v2 headers are latin1, v3 utf8; the dict keys and values we need are ASCII either way.
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header);

  if (fortranOrder) {
    throw new Error(
      "this .npy array is stored in Fortran (column-major) order, which is not supported: " +
        "save it in C order, e.g. np.save(path, np.ascontiguousarray(a))",
    );
  }
  const order = descr[0]!;
  const code = descr.slice(1);
  const reader = READERS[code];
  if (!reader || !"<|=>".includes(order)) {
    throw new Error(
      `unsupported .npy dtype '${descr}' (supported: float32/64, int8/16/32/64, uint8/16/32/64, bool; ` +
        `convert with a.astype('<f4'))`,
    );
  }
  if (order === ">" && reader.size > 1) {
    throw new Error(`big-endian .npy dtype '${descr}' is not supported: convert with a.astype('<${code}')`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * reader.size;
  const have = bytes.length - dataStart;
  if (have !== need) {
    throw new Error(
      `.npy data size mismatch: shape (${shape.join(", ")}) of '${descr}' needs ${need} bytes, the file has ${have}` +
        (have < need ? " (truncated file?)" : ""),
    );
  }
  let data: Float32Array;
  if (code === "f4" && LITTLE_ENDIAN_HOST) {
    // Fast path (the common case): one copy, which also fixes any misalignment.
    data = new Float32Array(bytes.slice(dataStart, dataStart + need).buffer);
  } else {
    data = reader.read(view, dataStart, count);
  }
  return { shape, data };
}

function parseHeader(header: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const h = header.trim();
  if (!h.startsWith("{") || !h.endsWith("}")) throw new Error(`malformed .npy header: ${JSON.stringify(header.slice(0, 120))}`);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(h)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(h)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(h)?.[1];
  if (descr === undefined) {
    if (/['"]descr['"]\s*:\s*\[/.test(h)) throw new Error("structured (record) .npy arrays are not supported: save one plain numeric array");
    throw new Error(`malformed .npy header (no 'descr'): ${h.slice(0, 120)}`);
  }
  if (fortran === undefined) throw new Error(`malformed .npy header (no 'fortran_order'): ${h.slice(0, 120)}`);
  if (shapeText === undefined) throw new Error(`malformed .npy header (no 'shape'): ${h.slice(0, 120)}`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim().replace(/L$/, "")) // Python 2 wrote long ints as "3L"
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`malformed .npy shape (${shapeText})`);
      return n;
    });
  return { descr, fortranOrder: fortran === "True", shape };
}

/** Write float32 data as a little-endian, C-order .npy file (v1.0; v2.0 for huge headers). */
export function writeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`invalid shape [${shape.join(", ")}]`);
  if (count !== data.length) {
    throw new Error(`shape [${shape.join(", ")}] has ${count} elements, data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces + "\n" so the data starts on a 64-byte boundary (what numpy does).
  let version = 1;
  let preamble = 10;
  let total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  if (total - preamble > 0xffff) {
    version = 2;
    preamble = 12;
    total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - preamble;
  const header = dict + " ".repeat(headerLen - dict.length - 1) + "\n";
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(total + 4 * i, data[i]!, true);
  }
  return out;
}

/**
 * What some bytes look like, for error messages: "a PNG image", "an npy array",
 * "a text file (starts with "...")", "unknown binary data (starts with 00 01 ...)".
 */
export function describeContent(bytes: Uint8Array): string {
  const starts = (sig: number[], at = 0) => bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
  if (bytes.length === 0) return "an empty file";
  if (starts(MAGIC)) return "an npy array";
  if (starts([0x89, 0x50, 0x4e, 0x47])) return "a PNG image";
  if (starts([0xff, 0xd8, 0xff])) return "a JPEG image";
  if (starts([0x47, 0x49, 0x46, 0x38])) return "a GIF image";
  if (starts([0x42, 0x4d])) return "a BMP image";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "a WebP image";
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return "a TIFF image";
  if (starts([0x66, 0x74, 0x79, 0x70], 4)) return "an HEIF/AVIF image or MP4 video";
  if (starts([0x89, 0x48, 0x44, 0x46])) return "an HDF5 file (Keras .h5 weights?)";
  if (starts([0x50, 0x4b, 0x03, 0x04])) return "a zip archive (.npz? PyTorch .pt?)";
  if (starts([0x25, 0x50, 0x44, 0x46])) return "a PDF document";
  if (starts([0x1f, 0x8b])) return "a gzip archive";
  if (starts([0x80]) && bytes.length > 1 && bytes[1]! <= 5) return "a Python pickle";
  const head = bytes.subarray(0, 256);
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc2);
  if (printable) {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(head.subarray(0, 40)).replace(/\s+/g, " ");
    if (/^\s*<svg|^\s*<\?xml/.test(text)) return `an SVG/XML text file (starts with ${JSON.stringify(text)})`;
    if (/^\s*[{[]/.test(text)) return `a JSON text file (starts with ${JSON.stringify(text)})`;
    return `a text file (starts with ${JSON.stringify(text)})`;
  }
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `unknown binary data (starts with ${hex})`;
}
