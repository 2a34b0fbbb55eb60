/**
 * window.__explorer: read-only views of what the page shows, for the tests and the
 * benchmark (test/explorer-browser.ts declares its type), and `run`.
 */
import * as tf from "@tensorflow/tfjs";
import type { ExplorerController } from "../controller/controller.js";
import { $ } from "./dom.js";

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function installHooks(c: ExplorerController, pixelToClient: (x: number, y: number) => { x: number; y: number }): void {
  const weights = $<HTMLSelectElement>("weights");
  const weightsHint = $("weights-hint");
  const banner = $("banner");
  const api = {
    ready: c.ready,
    /** The first run (or the start, with autorun=0) is over. */
    isReady: () => c.state.ready,
    run: () => c.run(),
    busy: () => c.state.running,
    tfBackend: () => tf.getBackend(),
    state: () => {
      const s = c.state;
      const r = s.result;
      return {
        backend: s.backend?.info.name ?? null,
        detail: s.backend?.detail ?? null,
        maxTextureSize: s.backend?.maxTextureSize ?? null,
        model: r?.lm.spec.model ?? null,
        width: r?.lm.spec.width ?? null,
        classes: r?.lm.spec.classes ?? null,
        classNames: r?.lm.classNames.names ?? null,
        /** The preprocessing the page fed the net with (from the weights' metadata). */
        preprocess: r?.lm.model.preprocess ?? null,
        weights: weights.value,
        weightsLabel: weights.selectedOptions[0]?.text ?? "",
        /** The weights menu: [value, text, disabled] per option, in order. */
        weightsOptions: [...weights.options].map((o) => [o.value, o.text, o.disabled] as const),
        weightsHint: weightsHint.hidden ? null : weightsHint.textContent,
        publishedLoad: s.publishedLoad,
        runs: s.runs,
        banner: banner.hidden ? null : banner.textContent,
        input: r ? [r.pass.image.height, r.pass.image.width] : null,
        original: r?.original ?? null,
        resizeReasons: r?.plan.reasons ?? [],
        passMs: r?.pass.passMs ?? null,
        compileMs: r?.compileMs ?? null,
        readMs: r?.pass.readMs ?? null,
        figuresMs: r ? s.figuresMs : null,
        error: s.lastError,
        messages: s.messages,
        figures: [...document.querySelectorAll<HTMLElement>("[data-figure]")].map((el) => ({ id: el.dataset.figure, svgs: el.querySelectorAll("svg").length })),
      };
    },
    inputRgb: () => (c.state.result ? b64(c.state.result.pass.image.rgb) : null),
    tap: (name: string) => {
      const t = c.state.result?.pass.taps.get(name);
      if (!t) return null;
      const f = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
      return { shape: [...t.shape], data: b64(new Uint8Array(f.buffer, f.byteOffset, f.byteLength)) };
    },
    /** Viewport coordinates of the centre of input pixel (x, y) in the result view. */
    pixelToClient,
  };
  (window as unknown as { __explorer: typeof api }).__explorer = api;
}
