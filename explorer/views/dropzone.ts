/** Drag and drop anywhere on the page: the drop zone shows while a file is over it; the files go to the controller. */
import type { ExplorerController } from "../controller/controller.js";
import { $ } from "./dom.js";

export function dropzoneView(c: ExplorerController): void {
  const zone = $("dropzone");
  let depth = 0;
  window.addEventListener("dragenter", (ev) => {
    ev.preventDefault();
    depth++;
    zone.hidden = false;
  });
  window.addEventListener("dragleave", () => {
    if (--depth <= 0) zone.hidden = true;
  });
  window.addEventListener("dragover", (ev) => ev.preventDefault());
  window.addEventListener("drop", (ev) => {
    ev.preventDefault();
    depth = 0;
    zone.hidden = true;
    void c.dropFiles([...(ev.dataTransfer?.files ?? [])]);
  });
}
