/**
 * What every view shares: finding the page's elements, filling a <select> from a menu,
 * and knowing which fields of the state changed since the last draw.
 */
import type { MenuGroup, MenuOption } from "../controller/choices.js";
import type { ExplorerState } from "../controller/state.js";
import { escapeHtml } from "../format.js";

/** An element of index.html by id (a missing one is a bug of the page). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
}

/** A view draws the state; `previous` is null on the first draw. */
export type View = (state: ExplorerState, previous: ExplorerState | null) => void;

/** Did any of these fields change (always, on the first draw)? */
export function changed(s: ExplorerState, previous: ExplorerState | null, ...keys: (keyof ExplorerState)[]): boolean {
  return previous === null || keys.some((k) => s[k] !== previous[k]);
}

export function optionHtml(o: MenuOption): string {
  return `<option value="${escapeHtml(o.value)}"${o.title ? ` title="${escapeHtml(o.title)}"` : ""}${o.disabled ? " disabled" : ""}>${escapeHtml(o.text)}</option>`;
}

/** A menu's options grouped (an empty group is left out). */
export function groupsHtml(groups: readonly MenuGroup[]): string {
  return groups
    .filter((g) => g.options.length)
    .map((g) => `<optgroup label="${escapeHtml(g.label)}">${g.options.map(optionHtml).join("")}</optgroup>`)
    .join("");
}
