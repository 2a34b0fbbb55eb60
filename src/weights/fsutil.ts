import { promises as fsp, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { WeightsFileError } from "./errors.js";
import { writeFileAtomic } from "../io/files.js";

/** stat() that turns "no such file" into a sentence instead of an ENOENT stack. */
export async function statWeightsPath(p: string): Promise<Stats> {
  try {
    return await fsp.stat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new WeightsFileError(p, `weights file not found: ${p}`, { cause: e });
    if (code === "EACCES" || code === "EPERM") throw new WeightsFileError(p, `cannot read weights file ${p}: permission denied`, { cause: e });
    throw e;
  }
}

/** Reads exactly `length` bytes at `offset` into a fresh, 8-byte-aligned buffer. */
export async function readRange(fh: FileHandle, offset: number, length: number, where: string): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) throw new WeightsFileError(where, `${where}: file ends early (wanted ${length} bytes at offset ${offset})`);
    done += bytesRead;
  }
  return buf;
}

/**
 * Writes through a temporary file in the same directory, then renames: a failed or
 * interrupted write never leaves a half-written weights file under the real name.
 * Failures name `target` and the cause (see writeFileAtomic).
 */
export async function writeAtomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await writeFileAtomic(target, write);
}

/** Typed arrays below are read and written as raw bytes, which is little-endian only on LE hosts. */
export function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("weights I/O assumes a little-endian host (every x86 and ARM machine in practice)");
  }
}

export function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
