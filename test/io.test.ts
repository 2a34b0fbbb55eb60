/**
 * .npy reading/writing against bytes numpy wrote (or that the test builds by hand), and
 * PNG/JPEG decoding of the sample images, with clear errors for everything else.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { describe, expect, it } from "vitest";
import { encodePng } from "../core/png.js";
import { decodeImage, exifOrientation } from "../src/io/image.js";
import { describeContent, readNpy, writeNpy } from "../src/io/npy.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));

/** An .npy file built by hand, independently of writeNpy: preamble, padded header, data. */
function npyBytes(header: string, data: Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const enc = new TextEncoder().encode(header); // ASCII/UTF-8 as given
  const padded = Math.ceil((pre + enc.length + 1) / 64) * 64 - pre;
  const out = new Uint8Array(pre + padded + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, padded, true);
  else v.setUint32(8, padded, true);
  out.set(enc, pre);
  out.fill(0x20, pre + enc.length, pre + padded - 1);
  out[pre + padded - 1] = 0x0a;
  out.set(data, pre + padded);
  return out;
}

function le(kind: "f8" | "i4" | "i8" | "i2", values: number[]): Uint8Array {
  const size = kind === "f8" || kind === "i8" ? 8 : kind === "i4" ? 4 : 2;
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (kind === "f8") v.setFloat64(8 * i, x, true);
    else if (kind === "i4") v.setInt32(4 * i, x, true);
    else if (kind === "i2") v.setInt16(2 * i, x, true);
    else v.setBigInt64(8 * i, BigInt(x), true);
  });
  return out;
}

describe("npy", () => {
  // np.save(b, np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype='<f4')), numpy 2.4.6
  const NUMPY_F4 = hex(
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73" +
      "652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020" +
      "202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000504000000000" +
      "6f12833a0000e0c0",
  );

  it("reads a file numpy wrote, and writes the same bytes", () => {
    expect(NUMPY_F4.length).toBe(152);
    const a = readNpy(NUMPY_F4);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1.5, -2, 3.25, 0, Math.fround(1e-3), -7]);
    expect(writeNpy([2, 3], a.data)).toEqual(NUMPY_F4);
  });

  it("round-trips shapes (including 1-d, scalar and empty) and special values bit-exactly", () => {
    const special = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4e38, 0.1, -1]);
    const cases: Array<[number[], Float32Array]> = [
      [[2, 4], special],
      [[8], special],
      [[2, 1, 2, 2], special],
      [[], new Float32Array([42.5])],
      [[0, 3], new Float32Array(0)],
    ];
    for (const [shape, data] of cases) {
      const bytes = writeNpy(shape, data);
      // numpy's alignment: the data starts on a 64-byte boundary.
      expect((bytes.length - data.byteLength) % 64).toBe(0);
      const back = readNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(new Uint32Array(back.data.buffer)).toEqual(new Uint32Array(data.buffer));
    }
    expect(() => writeNpy([3, 3], new Float32Array(8))).toThrow(/has 9 elements, data has 8/);
  });

  it("reads a hand-built v1.0 header and unaligned input", () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const file = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", new Uint8Array(data.buffer));
    // Place it at an odd offset inside a larger buffer (Node Buffers from a pool do this).
    const host = new Uint8Array(file.length + 3);
    host.set(file, 3);
    const a = readNpy(host.subarray(3));
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("converts f8, u1, i4, i8, i2 and bool to float32", () => {
    // The f8 / i8 / u1 bytes numpy 2.4.6 wrote:
    const f8 = readNpy(hex(
      "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a9a9999999999b93f000000e8764817c2" +
        "0000000000000840",
    ));
    expect(f8.shape).toEqual([3]);
    expect(Array.from(f8.data)).toEqual([Math.fround(0.1), Math.fround(-2.5e10), 3]);
    const i8 = readNpy(hex(
      "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a0000000000ffffff0700000000000000",
    ));
    expect(Array.from(i8.data)).toEqual([-(2 ** 40), 7]);
    const u1 = readNpy(hex(
      "934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a010203ff",
    ));
    expect(u1.shape).toEqual([2, 2]);
    expect(Array.from(u1.data)).toEqual([1, 2, 3, 255]);
    // Hand-built ones:
    const i4 = readNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", le("i4", [-5, 0, 7, 2147483647])));
    expect(Array.from(i4.data)).toEqual([-5, 0, 7, Math.fround(2147483647)]);
    const i2 = readNpy(npyBytes("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", le("i2", [-3, 300])));
    expect(Array.from(i2.data)).toEqual([-3, 300]);
    const b1 = readNpy(npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.of(1, 0, 1)));
    expect(Array.from(b1.data)).toEqual([1, 0, 1]);
  });

  it("reads format versions 2.0 and 3.0 (utf-8 header)", () => {
    const data = le("f8", [1.25, -2]);
    const v2 = readNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", data, 2));
    expect(v2.shape).toEqual([1, 2]);
    expect(Array.from(v2.data)).toEqual([1.25, -2]);
    const v3 = readNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data, 3));
    expect(Array.from(v3.data)).toEqual([1.25, -2]);
  });

  it("refuses Fortran order, big-endian, unknown dtypes, truncation and non-npy files clearly", () => {
    const six = new Uint8Array(new Float32Array(6).buffer);
    expect(() => readNpy(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", six))).toThrow(
      /Fortran \(column-major\) order.*np\.ascontiguousarray/,
    );
    expect(() => readNpy(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", six))).toThrow(
      /big-endian .* '>f4'/,
    );
    expect(() => readNpy(npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", six))).toThrow(
      /unsupported \.npy dtype '<c8'/,
    );
    expect(() => readNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", six))).toThrow(
      /needs 32 bytes, the file has 24 \(truncated file\?\)/,
    );
    expect(() => readNpy(new TextEncoder().encode("x,y\n1,2\n"))).toThrow(/not an \.npy file .*a text file \(starts with "x,y 1,2 "\)/);
    const png = readFileSync(join(SAMPLES, "chelsea.png"));
    expect(() => readNpy(png)).toThrow(/not an \.npy file .*a PNG image/);
  });
});

const SAMPLES = join(import.meta.dirname, "..", "sample-images");

describe("images", () => {
  const sizes: Array<[string, number, number, "png" | "jpeg"]> = [
    ["chelsea.png", 451, 300, "png"],
    ["astronaut.png", 512, 512, "png"],
    ["coffee.png", 600, 400, "png"],
    ["grace_hopper.jpg", 512, 600, "jpeg"],
    ["rocket.jpg", 640, 427, "jpeg"],
  ];
  for (const [file, width, height, format] of sizes) {
    it(`decodes ${file}: ${width}x${height}`, () => {
      const img = decodeImage(readFileSync(join(SAMPLES, file)), file);
      expect([img.width, img.height, img.format, img.hadAlpha]).toEqual([width, height, format, false]);
      expect(img.rgb.length).toBe(width * height * 3);
      // A photograph: neither blank nor a single colour.
      const mean = img.rgb.reduce((a, b) => a + b, 0) / img.rgb.length;
      expect(mean).toBeGreaterThan(20);
      expect(mean).toBeLessThan(235);
      expect(new Set(img.rgb.subarray(0, 3000)).size).toBeGreaterThan(10);
    });
  }

  it("decodes PNG pixels exactly (reference: an independent zlib + unfilter decoder in Python)", () => {
    const img = decodeImage(readFileSync(join(SAMPLES, "chelsea.png")));
    const px = (x: number, y: number) => Array.from(img.rgb.subarray(3 * (y * img.width + x), 3 * (y * img.width + x) + 3));
    expect(px(0, 0)).toEqual([143, 120, 104]);
    expect(px(225, 150)).toEqual([190, 150, 124]);
    expect(px(450, 299)).toEqual([162, 138, 128]);
    expect(img.rgb.reduce((a, b) => a + b, 0)).toBe(46802357);
  });

  it("detects the type by content, not by the name", () => {
    const png = readFileSync(join(SAMPLES, "chelsea.png"));
    expect(decodeImage(png, "actually-a-png.jpg").format).toBe("png");
    const jpg = readFileSync(join(SAMPLES, "rocket.jpg"));
    expect(decodeImage(jpg, "actually-a-jpeg.png").format).toBe("jpeg");
  });

  it("names the file, what it looks like and the accepted types for a non-image", () => {
    const text = new TextEncoder().encode("hello, this is not a picture\n");
    expect(() => decodeImage(text, "notes.png")).toThrow(
      'notes.png: not a PNG or JPEG image: it looks like a text file (starts with "hello, this is not a picture ")' +
        ". Accepted image types: PNG, JPEG",
    );
    const npy = writeNpy([2, 2], new Float32Array(4));
    expect(() => decodeImage(npy, "x.npy")).toThrow(/^x\.npy: not a PNG or JPEG image: it looks like an npy array\./);
    expect(() => decodeImage(Uint8Array.of(0, 1, 2, 250, 251), "blob")).toThrow(/blob: .*unknown binary data \(starts with 00 01 02 fa fb\)/);
    expect(() => decodeImage(new Uint8Array(0), "empty.jpg")).toThrow(/empty\.jpg: .*an empty file/);
    const gif = new TextEncoder().encode("GIF89a....");
    expect(() => decodeImage(gif, "a.gif")).toThrow(/a GIF image\. Accepted image types: PNG, JPEG/);
    // Right magic, broken body:
    const png = readFileSync(join(SAMPLES, "chelsea.png"));
    expect(() => decodeImage(png.subarray(0, 200), "cut.png")).toThrow(/^cut\.png: corrupt or unsupported PNG/);
    expect(describeContent(readFileSync(join(SAMPLES, "grace_hopper.jpg")))).toBe("a JPEG image");
  });

  it("encodePng -> decodeImage round trip (RGB exact; RGBA composited over white)", () => {
    const w = 7;
    const h = 5;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37 + 11) % 256);
    const back = decodeImage(encodePng(w, h, rgb), "rgb.png");
    expect([back.width, back.height, back.hadAlpha]).toEqual([w, h, false]);
    expect(back.rgb).toEqual(rgb);

    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 53 + 7) % 256);
    const composited = decodeImage(encodePng(w, h, rgba), "rgba.png");
    expect(composited.hadAlpha).toBe(true);
    for (let p = 0; p < w * h; p++) {
      const a = rgba[4 * p + 3]!;
      for (let c = 0; c < 3; c++) {
        expect(composited.rgb[3 * p + c]).toBe(Math.round((rgba[4 * p + c]! * a + 255 * (255 - a)) / 255));
      }
    }
    expect(() => encodePng(w, h, new Uint8Array(10))).toThrow(/needs 105 \(RGB\) or 140 \(RGBA\) bytes, got 10/);
  });

  it("decodes JPEG colours in RGB order", () => {
    // Flat quadrants survive JPEG nearly unchanged: red, green / blue, white.
    const { w, h, rgba } = quadrants(32, 16);
    const enc = jpeg.encode({ width: w, height: h, data: rgba }, 95).data;
    const img = decodeImage(enc, "q.jpg");
    expect(approx(pixel(img, 4, 4), [255, 0, 0])).toBe(true);
    expect(approx(pixel(img, 27, 4), [0, 255, 0])).toBe(true);
    expect(approx(pixel(img, 4, 12), [0, 0, 255])).toBe(true);
    expect(approx(pixel(img, 27, 12), [255, 255, 255])).toBe(true);
  });

  it("applies the EXIF orientation of a JPEG (6: rotate 90 degrees clockwise)", () => {
    const { w, h, rgba } = quadrants(32, 16);
    const plain = jpeg.encode({ width: w, height: h, data: rgba }, 95).data;
    const withExif = insertExifOrientation(plain, 6);
    const img = decodeImage(withExif, "phone.jpg");
    expect([img.width, img.height, img.exifOrientation]).toEqual([16, 32, 6]);
    // Rotated clockwise: the old bottom-left (blue) is now top-left, old top-left (red) top-right.
    expect(approx(pixel(img, 4, 4), [0, 0, 255])).toBe(true);
    expect(approx(pixel(img, 12, 4), [255, 0, 0])).toBe(true);
    expect(approx(pixel(img, 4, 27), [255, 255, 255])).toBe(true);
    expect(approx(pixel(img, 12, 27), [0, 255, 0])).toBe(true);
    expect(exifOrientation(Uint8Array.of(1, 2, 3))).toBe(1);
  });
});

function quadrants(w: number, h: number): { w: number; h: number; rgba: Uint8Array } {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = y < h / 2 ? (x < w / 2 ? [255, 0, 0] : [0, 255, 0]) : x < w / 2 ? [0, 0, 255] : [255, 255, 255];
      rgba.set([...c, 255], 4 * (y * w + x));
    }
  }
  return { w, h, rgba };
}

function pixel(img: { width: number; rgb: Uint8Array }, x: number, y: number): number[] {
  const i = 3 * (y * img.width + x);
  return Array.from(img.rgb.subarray(i, i + 3));
}

const approx = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 12);

/** An APP1 "Exif" segment (little-endian TIFF, IFD0 with one Orientation entry) after SOI. */
function insertExifOrientation(jpg: Uint8Array, orientation: number): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const v = new DataView(tiff.buffer);
  tiff.set([0x49, 0x49]); // "II"
  v.setUint16(2, 42, true);
  v.setUint32(4, 8, true); // IFD0 at 8
  v.setUint16(8, 1, true); // one entry
  v.setUint16(10, 0x0112, true); // Orientation
  v.setUint16(12, 3, true); // SHORT
  v.setUint32(14, 1, true); // count
  v.setUint16(18, orientation, true);
  const payload = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]); // "Exif\0\0"
  const seg = new Uint8Array(4 + payload.length);
  seg.set([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  seg.set(payload, 4);
  const out = new Uint8Array(jpg.length + seg.length);
  out.set(jpg.subarray(0, 2));
  out.set(seg, 2);
  out.set(jpg.subarray(2), 2 + seg.length);
  return out;
}
