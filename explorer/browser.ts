/**
 * The controller's environment in a browser: the page's fetch, downloads with progress,
 * images by the library's decoder (PNG, JPEG) or else the browser's (WebP, GIF, BMP...),
 * the backends as the page starts them, and a frame to paint in.
 */
import { decodeImage, type RgbImage } from "fcn-viz";
import { startBackend } from "./backends.js";
import type { ExplorerEnv } from "./controller/controller.js";
import { fetchBytes } from "./download.js";

async function decodeAny(bytes: Uint8Array, name: string, type = ""): Promise<RgbImage> {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  // PNG and JPEG through the library's decoder: the same bytes as in Node, to the bit.
  if (png || jpeg) {
    const d = decodeImage(bytes, name);
    return { width: d.width, height: d.height, rgb: d.rgb };
  }
  // Anything else the browser can read (WebP, GIF, BMP...), composited over white.
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type }), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const c = document.createElement("canvas");
  c.width = bitmap.width;
  c.height = bitmap.height;
  const g = c.getContext("2d", { willReadFrequently: true })!;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, c.width, c.height);
  g.drawImage(bitmap, 0, 0);
  const rgba = g.getImageData(0, 0, c.width, c.height).data;
  const rgb = new Uint8Array(c.width * c.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = rgba[j]!;
    rgb[i + 1] = rgba[j + 1]!;
    rgb[i + 2] = rgba[j + 2]!;
  }
  return { width: c.width, height: c.height, rgb };
}

export const browserEnv: ExplorerEnv = {
  fetch: (url) => fetch(url),
  download: fetchBytes,
  decodeImage: decodeAny,
  startBackend: (choice, wasmPath) => startBackend(choice, wasmPath),
  nextFrame: () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))),
};
