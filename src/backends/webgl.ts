/** The webgl backend (browser only): its renderer, and whether that is a software one. */
import { errorMessage, SOFTWARE_RE } from "./platform.js";
import { BackendError, startBackend } from "./start.js";

export interface WebglStart {
  /** The GL renderer string (unmasked when the browser allows). */
  readonly renderer: string;
  readonly software: boolean;
  /** "webgl on <renderer> [software]": what runs. */
  readonly detail: string;
}

/** Start webgl; with hardwareOnly, a software renderer is refused (an Error, for auto). */
export async function startWebgl(hardwareOnly: boolean): Promise<WebglStart> {
  const renderer = webglRenderer();
  if (renderer === null) throw new Error("this browser has no WebGL2");
  const software = SOFTWARE_RE.test(renderer);
  if (hardwareOnly && software) throw new Error(`only a software renderer (${renderer})`);
  try {
    await startBackend("webgl");
  } catch (e) {
    throw new BackendError("webgl", errorMessage(e), "use webgpu or wasm");
  }
  return { renderer, software, detail: `webgl on ${renderer}${software ? " [software]" : ""}` };
}

function webglRenderer(): string | null {
  try {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2");
    if (!gl) return null;
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const r = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return String(r);
  } catch {
    return null;
  }
}
