/** The banner over the page: random weights mean nothing, and the page says so. */
import { widthText } from "fcn-viz";
import { RANDOM, trainedFcns } from "../controller/choices.js";
import { $, changed, type View } from "./dom.js";

export function bannerView(): View {
  const banner = $("banner");
  return (s, prev) => {
    if (!changed(s, prev, "weights", "manifest", "random")) return;
    banner.hidden = s.weights !== RANDOM;
    if (banner.hidden) return;
    const { width, classes } = s.random;
    const hasProject = s.manifest ? trainedFcns(s.manifest).length > 0 : false;
    banner.innerHTML =
      `<strong>Random weights: the predictions mean nothing.</strong>` +
      (hasProject
        ? `You chose seeded random weights (width ${widthText(width)}, ${classes} classes). `
        : `No trained model was found in <code>models/</code> when this page was built, so the network runs with seeded random weights (width ${widthText(width)}, ${classes} classes). `) +
      `Every stage below is computed for real: the geometry, the upsampling, the fusions and the decomposition are exact, but the class names are just labels on random scores.`;
  };
}
