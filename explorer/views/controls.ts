/**
 * The settings panel: image, model, weights (with the hint when no published net is
 * cached, and the weights file picker), backend, max side, Run. Fills the menus from the
 * state and hands every choice to the controller.
 */
import { BACKEND_NAMES, type BackendName } from "fcn-viz";
import { fetchSuggestion, PICK_FILE, sampleMenu, weightsMenu } from "../controller/choices.js";
import type { ExplorerController } from "../controller/controller.js";
import { displayName, escapeHtml } from "../format.js";
import { FCN_MODELS, type FcnModel } from "../pipeline.js";
import { $, changed, groupsHtml, optionHtml, type View } from "./dom.js";

const BACKEND_LABELS: Partial<Record<BackendName, string>> = { auto: "auto: WebGPU › WebGL › WASM", webgpu: "WebGPU", webgl: "WebGL", wasm: "WASM", cpu: "cpu (plain JS)" };

export function controlsView(c: ExplorerController): View {
  const ui = {
    sample: $<HTMLSelectElement>("sample"),
    imageFile: $<HTMLInputElement>("image-file"),
    model: $<HTMLSelectElement>("model"),
    weights: $<HTMLSelectElement>("weights"),
    weightsHint: $("weights-hint"),
    weightsFile: $<HTMLInputElement>("weights-file"),
    backend: $<HTMLSelectElement>("backend"),
    maxSide: $<HTMLSelectElement>("max-side"),
    run: $<HTMLButtonElement>("run"),
  };
  ui.model.innerHTML = FCN_MODELS.map((m) => optionHtml({ value: m, text: displayName(m) })).join("");
  ui.backend.innerHTML = BACKEND_NAMES.map((b) => optionHtml({ value: b, text: BACKEND_LABELS[b] ?? b })).join("");

  ui.run.addEventListener("click", () => void c.run());
  ui.sample.addEventListener("change", () => void c.chooseSample(ui.sample.value));
  ui.imageFile.addEventListener("change", () => {
    const f = ui.imageFile.files?.[0];
    if (f) void c.openImage(f);
  });
  ui.model.addEventListener("change", () => void c.chooseModel(ui.model.value as FcnModel));
  ui.weights.addEventListener("change", () => {
    if (ui.weights.value !== PICK_FILE) return void c.chooseWeights(ui.weights.value);
    c.beginWeightsPick();
    ui.weightsFile.click();
  });
  ui.weightsFile.addEventListener("change", () => void c.openWeights([...(ui.weightsFile.files ?? [])]));
  ui.backend.addEventListener("change", () => void c.chooseBackend(ui.backend.value as BackendName));
  ui.maxSide.addEventListener("change", () => void c.chooseMaxSide(ui.maxSide.value));

  return (s, prev) => {
    if (changed(s, prev, "manifest", "userImage")) ui.sample.innerHTML = sampleMenu(s.manifest, s.userImage).map(optionHtml).join("");
    if (changed(s, prev, "manifest", "userImage", "sample")) ui.sample.value = s.sample;
    if (changed(s, prev, "model")) ui.model.value = s.model;
    if (s.manifest && changed(s, prev, "manifest", "random", "userWeights")) ui.weights.innerHTML = groupsHtml(weightsMenu(s.manifest, s.random, s.userWeights));
    if (changed(s, prev, "manifest", "random", "userWeights", "weights")) ui.weights.value = s.weights;
    if (s.manifest && changed(s, prev, "manifest")) {
      // The menu's disabled line only shows when it is opened: say it under the menu too.
      const fetch = fetchSuggestion(s.manifest);
      ui.weightsHint.hidden = fetch === null;
      if (fetch) {
        ui.weightsHint.innerHTML = `The authors' trained FCN-8s: <code>${escapeHtml(fetch.command)}</code> (${escapeHtml(fetch.size)}), then reload.`;
        ui.weightsHint.title = `No published net in ${fetch.cacheDir}`;
      }
    }
    if (changed(s, prev, "backendChoice")) ui.backend.value = s.backendChoice;
    if (changed(s, prev, "maxSides")) ui.maxSide.innerHTML = s.maxSides.map((v) => optionHtml({ value: v, text: `${v} px` })).join("");
    if (changed(s, prev, "maxSides", "maxSide")) ui.maxSide.value = s.maxSide;
    if (changed(s, prev, "running")) ui.run.disabled = s.running;
  };
}
