/**
 * The FCN explorer page: choose an image, a model and weights; run on WebGPU/WebGL/WASM;
 * see every stage (viz/ figures) and inspect any output pixel (its class scores, what
 * each stream contributes, its receptive field and stride cells).
 *
 * The wiring only: the controller (controller/) holds the state and the actions, the
 * views (views/) draw the state into the page and turn the user's events into actions.
 * URL parameters: controller/options.ts.
 */
import "./shims/buffer-global.js";
import { browserEnv } from "./browser.js";
import { ExplorerController } from "./controller/controller.js";
import { parseOptions } from "./controller/options.js";
import { bannerView } from "./views/banner.js";
import { controlsView } from "./views/controls.js";
import type { View } from "./views/dom.js";
import { dropzoneView } from "./views/dropzone.js";
import { figuresView } from "./views/figures.js";
import { installHooks } from "./views/hooks.js";
import { hoverView } from "./views/hover.js";
import { statusView } from "./views/status.js";
import { viewerView } from "./views/viewer.js";

const controller = new ExplorerController(browserEnv, parseOptions(location.search));
const viewer = viewerView(controller);
const views: View[] = [bannerView(), controlsView(controller), statusView(), viewer.draw, hoverView(), figuresView(controller)];
for (const draw of views) draw(controller.state, null);
controller.subscribe((state, previous) => views.forEach((draw) => draw(state, previous)));
dropzoneView(controller);
installHooks(controller, viewer.pixelToClient);
void controller.start();
