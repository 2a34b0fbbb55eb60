/** The status lines (backend, weights, input, time per pass) and the message box under them. */
import { formatBytes, widthText } from "fcn-viz";
import type { StartedBackend } from "../backends.js";
import type { MessageBox, TimeStatus, WeightsStatus } from "../controller/state.js";
import { displayName, escapeHtml, ms, preprocessText } from "../format.js";
import { $, changed, type View } from "./dom.js";

export function statusView(): View {
  const ui = { backend: $("st-backend"), weights: $("st-weights"), input: $("st-input"), time: $("st-time"), message: $("message") };
  return (s, prev) => {
    if (s.backend && changed(s, prev, "backend")) backendLine(ui.backend, s.backend);
    if (s.weightsStatus && changed(s, prev, "weightsStatus")) ui.weights.innerHTML = weightsLine(s.weightsStatus);
    if (s.inputStatus !== null && changed(s, prev, "inputStatus")) ui.input.textContent = s.inputStatus;
    if (s.timeStatus && changed(s, prev, "timeStatus")) ui.time.innerHTML = timeLine(s.timeStatus);
    if (changed(s, prev, "message")) messageBox(ui.message, s.message);
  };
}

function backendLine(el: HTMLElement, b: StartedBackend): void {
  const extra: string[] = [];
  if (b.maxTextureSize) extra.push(`max texture ${b.maxTextureSize} px`);
  if (b.maxBufferBytes && !/binding/.test(b.detail)) extra.push(`max buffer binding ${Math.round(b.maxBufferBytes / 2 ** 20)} MiB`);
  if (b.software) extra.push("a software renderer: a real GPU is much faster");
  el.innerHTML = `<b>${escapeHtml(b.info.name)}</b> · ${escapeHtml(b.detail.replace(/^\w+ (on )?/, ""))}${extra.length ? ` <span class="muted">(${escapeHtml(extra.join("; "))})</span>` : ""}`;
  el.title = [b.info.reason, ...b.skipped].join("\n");
}

function weightsLine(w: WeightsStatus): string {
  const { spec, classNames } = w;
  const names = classNames.names;
  const namesShown = names.slice(0, 6).join(", ") + (names.length > 6 ? `, … (${names.length})` : "");
  let html =
    `${escapeHtml(w.label)} · ${escapeHtml(displayName(spec.model))}${spec.nodes.some((n) => n.op.type === "scale") ? " at-once" : ""}, width ${widthText(spec.width)}, ${spec.classes} classes` +
    ` · <span title="${escapeHtml(names.join(", "))}">names (${escapeHtml(classNames.source)}): ${escapeHtml(namesShown)}</span>`;
  if (w.published) {
    const { net, load } = w.published;
    html += ` · <span class="muted" title="${escapeHtml(`${net.description}. Licence: ${net.licence}`)}">${escapeHtml(net.file)}, ${escapeHtml(formatBytes(load.bytes))} from the weights cache, loaded in ${ms(load.downloadMs)}, read in ${ms(load.parseMs)}</span>`;
  }
  html += ` · <span class="muted" title="${escapeHtml(w.preprocess.source)}">input ${escapeHtml(preprocessText(w.preprocess))}</span>`;
  if (w.modelCard) html += ` · <a href="${escapeHtml(w.modelCard)}" target="_blank" rel="noopener">model card</a>`;
  return html;
}

function timeLine(t: TimeStatus): string {
  const firstNote = !t.first ? "" : t.compileMs !== null ? ` · compiling the GPU programs first took ${ms(t.compileMs)}` : " (first pass: includes compiling the GPU programs; Run again for the steady time)";
  return `<b>${ms(t.passMs)}</b>${firstNote} · read-back of the stages ${ms(t.readMs)}`;
}

/** Notes one per line; an error alone, in red. */
function messageBox(el: HTMLElement, box: MessageBox | null): void {
  el.hidden = box === null;
  el.className = box?.kind === "error" ? "message error" : "message";
  el.replaceChildren(...(box?.lines ?? []).flatMap((l, i) => (i ? [document.createElement("br"), l] : [l])));
}
