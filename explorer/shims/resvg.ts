/** Browser stand-in for @resvg/resvg-js (a native Node addon): the page shows figures as SVG. */
export class Resvg {
  constructor() {
    throw new Error("PNG rasterizing (resvg) only runs in Node; in the browser figures are shown as SVG");
  }
}
export default { Resvg };
