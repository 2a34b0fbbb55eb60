/**
 * Writing files safely: never a torn file, never a hang, one clear line on failure.
 *
 * - Every output goes to a temporary file in the target's own folder, then is renamed
 *   over the target (rename is atomic within a file system): a crash, a full disk or a
 *   second run never leaves half a file under the real name.
 * - Folders are created by ensureDir, one level at a time. Node's mkdir({recursive})
 *   spins forever on a path the file system refuses without saying why: under /proc,
 *   mkdir answers ENOENT although the parent exists, and Node's loop then "creates" the
 *   parent (EEXIST) and retries the child, endlessly (100% CPU, no output).
 * - OS errors become an OutputError naming the TARGET (not the temporary file) and the
 *   cause in words: "cannot write out/x.png: permission denied (EACCES)".
 * - Outputs can be checked before slow work (checkWritable, checkWritableDir), so a
 *   typo in --out fails in milliseconds instead of after the forward pass.
 * - A folder several runs could write at once (a taps directory) is claimed with a lock
 *   file holding the owner's pid (claimDir).
 */
import { promises as fsp, statSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";

/** A file or folder that cannot be written; the message names it and the cause. */
export class OutputError extends Error {
  override readonly name = "OutputError";
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CAUSES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory",
  EEXIST: "it already exists",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "the file is too large for the file system",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EBUSY: "the resource is busy",
  EIO: "input/output error",
  EXDEV: "it is on another file system",
  EINVAL: "the file system does not accept this name",
};

/** An OS error's cause in words, with its code: "permission denied (EACCES)". */
export function fsCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && CAUSES[code]) return `${CAUSES[code]} (${code})`;
  if (code) return code;
  // Not an OS error (a library's own): its first line, without the library's stack.
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n").find((l) => l.trim())?.trim() ?? "unknown error";
}

/** One OutputError for a failed write of `target`, whatever path the OS error named. */
export function outputError(target: string, e: unknown, verb = "write"): OutputError {
  if (e instanceof OutputError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const folder = path.dirname(path.resolve(target));
  // ENOENT although the folder is there: a file system that takes no new entries (/proc).
  const why = code === "ENOENT" && isDir(folder) ? `the file system does not allow creating files in ${folder} (ENOENT)` : fsCause(e);
  return new OutputError(target, `cannot ${verb} ${target}: ${why}`, { cause: e });
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * mkdir -p that cannot spin: finds the deepest folder that exists (at most one step per
 * path component), then creates the missing ones in order, each once.
 */
export async function ensureDir(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  for (let cur = abs; ; cur = path.dirname(cur)) {
    let isDir: boolean;
    try {
      isDir = (await fsp.stat(cur)).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && path.dirname(cur) !== cur) {
        missing.push(cur);
        continue;
      }
      if (code === "ENOTDIR") throw new OutputError(dir, `cannot create folder ${dir}: ${fileOnTheWay(cur) ?? "a part of that path"} is a file, not a folder`, { cause: e });
      throw outputError(dir, e, "create folder");
    }
    if (!isDir) throw new OutputError(dir, `cannot create folder ${dir}: ${cur} is a file, not a folder`);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      await fsp.mkdir(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Made meanwhile by someone else (another run): fine if it is a folder.
      if (code === "EEXIST" && (await fsp.stat(d).then((s) => s.isDirectory(), () => false))) continue;
      const why = code === "ENOENT" ? `the file system does not allow creating folders in ${path.dirname(d)} (ENOENT)` : fsCause(e);
      throw new OutputError(dir, `cannot create folder ${d === abs ? dir : `${d} (for ${dir})`}: ${why}`, { cause: e });
    }
  }
}

/** The file that stands where a folder of `p`'s path should be (ENOTDIR), if any. */
function fileOnTheWay(p: string): string | null {
  for (let cur = path.dirname(p); path.dirname(cur) !== cur; cur = path.dirname(cur)) {
    try {
      if (!statSync(cur).isDirectory()) return cur;
    } catch {
      // not there either: look further up
    }
  }
  return null;
}

let tmpCounter = 0;

/** A temporary name beside `target` (same folder, so the final rename is atomic). */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${++tmpCounter}.tmp`);
}

/**
 * Before slow work: can `target` be written? Creates its folder, refuses a folder in
 * its place, and writes and removes a probe file beside it (the way the real write will
 * go), so permission, read-only and virtual file systems fail now, naming the target.
 */
export async function checkWritable(target: string): Promise<void> {
  await ensureDir(path.dirname(path.resolve(target)));
  const st = await fsp.stat(target).catch(() => null);
  if (st?.isDirectory()) throw new OutputError(target, `cannot write ${target}: it is a folder; give a file name`);
  await probe(target, target);
}

/** checkWritable for a folder that files will be written into. */
export async function checkWritableDir(dir: string): Promise<void> {
  await ensureDir(dir);
  await probe(path.join(dir, "probe"), dir);
}

async function probe(beside: string, target: string): Promise<void> {
  const tmp = tempPathFor(beside);
  try {
    await (await fsp.open(tmp, "wx")).close();
  } catch (e) {
    throw outputError(target, e);
  }
  await fsp.rm(tmp, { force: true });
}

/**
 * Writes `target` through a temporary file beside it, then renames it into place.
 * `data` is the content, or a function that writes the temporary file it is given
 * (for writers that need a path: HDF5, streams). Any failure removes the temporary
 * file and throws an OutputError naming `target`.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string | ((tmp: string) => Promise<void>)): Promise<void> {
  await ensureDir(path.dirname(path.resolve(target)));
  const tmp = tempPathFor(target);
  try {
    if (typeof data === "function") await data(tmp);
    else await fsp.writeFile(tmp, data, { flag: "wx" });
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw outputError(target, e);
  }
}

/** A claimed folder; release() removes the lock (only if it is still this run's). */
export interface DirClaim {
  readonly dir: string;
  release(): Promise<void>;
}

export const LOCK_FILE = ".fcn-viz.lock";

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

/**
 * Claims `dir` for this process: creates it if needed and a lock file in it, with O_EXCL
 * (exactly one creator wins). Another live run's lock is refused with its pid; a lock
 * left by a run that died (same host, pid gone) is taken over.
 *
 * Why a lock rather than a fresh subfolder per run: the folder's layout (NAME.npy and
 * manifest.json directly in it) is what scripts and notebooks read, and a second run
 * should learn at once that the folder is busy, not write somewhere else unnoticed.
 */
export async function claimDir(dir: string, what = "this folder"): Promise<DirClaim> {
  await ensureDir(dir);
  const lock = path.join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const text = JSON.stringify(mine) + "\n";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fsp.writeFile(lock, text, { flag: "wx" });
      return {
        dir,
        release: async () => {
          const now = await fsp.readFile(lock, "utf8").catch(() => "");
          if (now === text) await fsp.rm(lock, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw outputError(dir, e);
    }
    const owner = await readLock(lock);
    if (owner && owner.host === mine.host && !processAlive(owner.pid) && attempt === 0) {
      await fsp.rm(lock, { force: true }); // the run that held it is gone
      continue;
    }
    const who = owner ? `pid ${owner.pid}${owner.host !== mine.host ? ` on ${owner.host}` : ""}, since ${owner.started}` : "its lock is unreadable";
    throw new OutputError(
      dir,
      `${dir} is being written by another fcn-viz run (${who}): give ${what} another folder, or wait for that run ` +
        `(if none is running, delete ${lock})`,
    );
  }
  throw new OutputError(dir, `cannot claim ${dir}: another run took it at the same moment`);
}

async function readLock(lock: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await fsp.readFile(lock, "utf8")) as LockInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, owned by someone else
  }
}
