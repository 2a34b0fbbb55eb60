/**
 * Browser stand-in for `node:module`, used by viz/svg.ts (and viz/plotly.ts, viz/tslab.ts)
 * to load jsdom in Node. In a browser the real DOM is there: `require("jsdom")` answers a
 * JSDOM whose window is a detached HTML document of this page plus the browser's own
 * XMLSerializer, so viz's d3 code draws exactly as it does server-side.
 */
class BrowserJSDOM {
  readonly window: { document: Document; XMLSerializer: typeof XMLSerializer };
  constructor(_html?: string) {
    this.window = { document: document.implementation.createHTMLDocument(""), XMLSerializer };
  }
}

export function createRequire(_from?: string | URL): (id: string) => unknown {
  return (id: string) => {
    if (id === "jsdom") return { JSDOM: BrowserJSDOM };
    throw new Error(`${id} cannot be loaded in a browser (it is only used in Node)`);
  };
}

export default { createRequire };
