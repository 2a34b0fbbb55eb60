/**
 * trainedParams (fcn-viz/trained): the numbers of a trained file in the library's layout, the
 * fixed bilinear kernels the file leaves out rebuilt, and the same clear error as
 * loadTrainedModel when a file is missing. On a throwaway models directory, not models/.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { bilinearFilter } from "../core/bilinear.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { paramSpecs } from "../src/net/params.js";
import { trainedParams } from "../src/trained.js";
import { fromTensors } from "../src/weights/tensors.js";
import { writeWeights } from "../src/weights/index.js";

let dir = "";
beforeAll(async () => {
  await useBackend("cpu");
  dir = await mkdtemp(join(tmpdir(), "fcn-viz-trained-params-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("trainedParams", () => {
  it("returns every parameter in tfjs layout, the fixed bilinear layers rebuilt", async () => {
    const spec = modelSpec("fcn8s", { width: 1 / 64, classes: 11 });
    const tensors = randomParams(spec, 3);
    const params = await fromTensors(tensors);
    tensors.forEach((t) => t.dispose());
    const stored = new Map([...params].filter(([n]) => n !== "upscore8.weight"));
    await writeWeights(join(dir, "fcn8s.safetensors"), { params: stored, meta: { model: "fcn8s", bilinear: ["upscore8"] } }, "safetensors");

    const got = await trainedParams("fcn8s", { dir });
    expect(got.fixedBilinear).toEqual(["upscore8"]);
    // Every parameter the spec needs, with its shape.
    for (const p of paramSpecs(spec)) expect(got.params.get(p.name)?.shape, p.name).toEqual(p.shape);
    // The rebuilt kernel is the bilinear one, [16, 16, out, in] on the class diagonal.
    expect(Array.from(got.params.get("upscore8.weight")!.data)).toEqual(Array.from(bilinearFilter(16, 11)));
    // ... which is the formula's: factor 8, centre 7.5; 0 across classes.
    const up = got.params.get("upscore8.weight")!.data;
    expect(up[((7 * 16 + 7) * 11 + 5) * 11 + 5]).toBe((15 / 16) ** 2);
    expect(up[((0 * 16 + 0) * 11 + 10) * 11 + 10]).toBe((1 / 16) ** 2);
    expect(up[((7 * 16 + 7) * 11 + 5) * 11 + 6]).toBe(0);
    // A stored, learned layer comes back as written (F32 here).
    expect(Array.from(got.params.get("upscore2.weight")!.data)).toEqual(Array.from(params.get("upscore2.weight")!.data));
  });

  it("a missing file is the same clear error as loadTrainedModel's", async () => {
    await expect(trainedParams("fcn16s", { dir })).rejects.toThrow(/fcn16s\.safetensors does not exist: the trained weights ship in models\//);
    await expect(trainedParams("nonsense" as never, { dir })).rejects.toThrow(/unknown trained model "nonsense"/);
  });
});
