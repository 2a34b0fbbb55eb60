/**
 * Starting one tfjs backend, never silently.
 *
 * `tf.setBackend(x)` returns false when x fails to start, and `tf.getBackend()` then still
 * answers x (tfjs-core sets the name before it initializes) until the next op quietly
 * initializes the best remaining backend, usually the pure-JS cpu one (~35x slower than
 * WASM for the FCN). So every start here is checked three ways: setBackend's result, the
 * engine's registry, and a tiny computation whose answer is known.
 */
import * as tf from "@tensorflow/tfjs";
import { errorMessage } from "./platform.js";

/** A backend that was asked for explicitly and did not start. */
export class BackendError extends Error {
  constructor(
    readonly backend: string,
    readonly why: string,
    readonly fix: string,
  ) {
    super(`${backend} backend failed to start: ${why}. Fix: ${fix}`);
    this.name = "BackendError";
  }
}

/** The backend tfjs runs, or null when none has started (getBackend() alone is not proof). */
export function activeBackend(): string | null {
  const name = tf.getBackend();
  return name && tf.findBackend(name) ? name : null;
}

/**
 * tf.setBackend(name) and prove it: the result, the registry, and a computation.
 * What tfjs warned while starting becomes the error (and is passed through on success).
 * `abort` (optional) rejects to give up waiting for an initialization that hangs.
 */
export async function startBackend(name: string, abort?: Promise<never>): Promise<void> {
  const { outcome, warned } = await captureConsoleWarn(() =>
    abort ? Promise.race([tf.setBackend(name), abort]) : tf.setBackend(name),
  );
  let ok = false;
  if (outcome.status === "fulfilled") ok = outcome.value;
  else warned.push(errorMessage(outcome.reason));
  // Emscripten repeats one failure several times, wrapped differently: keep the first.
  const cause = () =>
    warned
      .map((w) => (w.split("\n")[0] ?? "").trim())
      .find((w) => w && !/^Initialization of backend/.test(w))
      ?.slice(0, 400) ?? "tf.setBackend returned false";
  if (!ok || tf.getBackend() !== name || !tf.findBackend(name)) {
    throw new Error(cause());
  }
  for (const w of warned) console.warn(w);
  await checkArithmetic(name);
}

/**
 * Run `task` with console.warn captured instead of printed, and return what it warned.
 *
 * Why: tfjs reports a backend's initialization failure only through console.warn
 * (setBackend itself just resolves false), so the cause of a failed start exists nowhere
 * else. console.warn is the process-wide one, so it is replaced for the duration of `task`
 * only, and restored even when `task` throws.
 */
async function captureConsoleWarn<T>(task: () => Promise<T>): Promise<{ outcome: PromiseSettledResult<T>; warned: string[] }> {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warned.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  };
  try {
    return { outcome: { status: "fulfilled", value: await task() }, warned };
  } catch (reason) {
    return { outcome: { status: "rejected", reason }, warned };
  } finally {
    console.warn = original;
  }
}

/** A tiny sum whose answer is known: a backend that starts but computes garbage is refused. */
async function checkArithmetic(name: string): Promise<void> {
  // 2048 elements: above tfjs-webgpu's CPU hand-off threshold (1000), so the GPU computes it.
  const sum = tf.tidy(() => tf.sum(tf.add(tf.range(0, 2048, 1, "float32"), 1)));
  const got = (await sum.data())[0];
  sum.dispose();
  if (got !== 2098176) {
    throw new Error(`the ${name} backend started but computes wrong results (sum 1..2048 gave ${got}, expected 2098176)`);
  }
}
