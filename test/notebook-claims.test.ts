/**
 * The notebooks' prose may not state a number that nothing checks. Every quantitative claim
 * the markdown cells make (a percentage, "162 of 200", "0.66", "17× fewer", "about 112 px",
 * "a few tenths"; test/support/notebook-claims.ts finds them) must be either
 *
 * - a cited fact of the paper or of the spec that /work/shared/REFERENCE.md fixes, in FACTS
 *   below (each with its source, and, where the library can compute it, a check that it
 *   does), or
 * - quoted in the statement of a `claim(statement, holds, found)` call in the same
 *   notebook: the check that stands beside the sentence and fails the notebook when the
 *   outputs stop supporting it (test/notebooks.test.ts executes the notebooks).
 *
 * Everything a retrain, a seed or other weights can change is written by code instead
 * (tslab.display.markdown from the values), so it never reaches a markdown cell. A number
 * typed into the prose by hand therefore fails this test until it is checked or generated.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { NOTEBOOKS } from "../scripts/notebook-env.mjs";
import * as fcn from "../src/index.js";
import { claim, ClaimError, PHOTO_MAX_SIDE } from "../src/notebook.js";
import { parameterBytes } from "../src/published/index.js";
import { normalize, proseClaims } from "./support/notebook-claims.js";

interface Fact {
  /** The claim as proseClaims returns it (normalized). */
  readonly token: string;
  readonly source: string;
  /** Recomputes the fact from the library, where it can. */
  readonly check?: () => boolean;
}

const stride = () => fcn.receptiveFields(fcn.fcn8sSpec()).get("score_fr")!.stride;
const fcn8sParams = () => fcn.summarize(fcn.fcn8sSpec(), 224, 224).totalParams;
const pad = (spec: fcn.NetSpec) => {
  const op = fcn.findNode(spec, "conv1_1").op;
  return op.type === "conv" ? op.pad : NaN;
};

/** Facts the prose may state without a claim() beside them: the paper's and the reference spec's. */
const FACTS: readonly Fact[] = [
  { token: "138 million", source: "REFERENCE.md, Parameter counts: VGG16 has 138,357,544", check: () => Math.round(fcn.summarize(fcn.vgg16Spec(), 224, 224).totalParams / 1e6) === 138 },
  { token: "134 million", source: "the paper, Table 1: FCN-VGG16 134M parameters", check: () => Math.round(fcn8sParams() / 1e6) === 134 },
  { token: "134.5 million", source: "REFERENCE.md, Parameter counts: FCN-8s counted exactly (134,489,759)", check: () => (fcn8sParams() / 1e6).toFixed(1) === "134.5" },
  { token: "134.5 m", source: "as 134.5 million", check: () => (fcn8sParams() / 1e6).toFixed(1) === "134.5" },
  ...["32 px", "32 pixels", "32 times", "1/32"].map((token) => ({ token, source: "REFERENCE.md, Architecture: five 2x2 stride-2 pools, stride 32", check: () => stride() === 32 })),
  { token: "404 px", source: "the paper, Table 1: receptive field 404", check: () => fcn.receptiveFields(fcn.fcn8sSpec()).get("score_fr")!.rf === 404 },
  ...["100 pixels", "100 instead of 1"].map((token) => ({ token, source: "REFERENCE.md, Architecture: conv1_1 has pad = 100 (not 1)", check: () => pad(fcn.fcn8sSpec()) === 100 && pad(fcn.vgg16FcnSpec()) === 1 })),
  { token: "224 px", source: "REFERENCE.md: VGG16's 224x224 input, fc6 a 7x7 window on pool5", check: () => fcn.minInputSize(fcn.vgg16FcnSpec()) <= 224 && 7 * fcn.receptiveFields(fcn.vgg16Spec()).get("pool5")!.stride === 224 },
  { token: "~0.27", source: "REFERENCE.md, Architecture: cell vs crop, relative L2 ~0.27 at 320x320 on random weights (a cited measurement)" },
  { token: "1.2 ms", source: "the paper, section 3.1: AlexNet, 1.2 ms for one 227x227 image" },
  { token: "22 ms", source: "the paper, section 3.1: 22 ms for the 10x10 grid of a 500x500 image" },
  { token: "more than 5 times", source: "the paper, section 3.1: \"more than 5 times faster than the naive approach\"" },
  { token: "210 ms", source: "REFERENCE.md, Table 1: FCN-VGG16, 210 ms on a Tesla K40c" },
  { token: "about 175 ms", source: "REFERENCE.md, Table 3: FCN-8s ~175 ms inference" },
  { token: "45.4", source: "REFERENCE.md, Table 2: FCN-32s-fixed mean IU 45.4" },
  { token: "0.01", source: "REFERENCE.md: at-once FCN-8s, pool4 scaled by 0.01", check: () => scaleOf("scale_pool4") === 0.01 },
  { token: "0.0001", source: "REFERENCE.md: at-once FCN-8s, pool3 scaled by 0.0001", check: () => scaleOf("scale_pool3") === 0.0001 },
  { token: "540 mb", source: "REFERENCE.md, The published weights: ~540 MB each", check: () => Math.abs(parameterBytes(fcn.publishedWeights("voc-fcn8s")) / 1e6 - 540) < 10 },
  { token: "at most 500 px", source: "fcn-viz/notebook's PHOTO_MAX_SIDE, the paper's 500x500 test size", check: () => PHOTO_MAX_SIDE === 500 },
  // Words of geometry, not measurements: a 2x2 stride-2 pool halves the size and doubles the stride; "half a step", "the left half".
  ...["half", "halves", "doubles"].map((token) => ({ token, source: "REFERENCE.md, Architecture: 2x2 stride-2 pools" })),
];

function scaleOf(name: string): number {
  const op = fcn.findNode(fcn.fcn8sSpec({ atOnce: true }), name).op;
  return op.type === "scale" ? op.factor : NaN;
}

interface Notebook {
  readonly cells: readonly { readonly cell_type: string; readonly source: string | readonly string[] }[];
}
const text = (s: string | readonly string[]) => (typeof s === "string" ? s : s.join(""));
const notebooks = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, f), "utf8")) as Notebook;

/** The statements of a notebook's claim(...) calls (their first argument, a string literal), and the calls whose statement is not one. */
function claimStatements(nb: Notebook): { statements: string[]; notLiteral: string[] } {
  const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => text(c.source)).join("\n")
    .replace(/(^|\s)\/\/.*$/gm, "$1");                                              // comments may mention claim(...)
  const statements: string[] = [];
  const notLiteral: string[] = [];
  for (const m of code.matchAll(/\bclaim\(\s*/g)) {
    const rest = code.slice(m.index! + m[0].length);
    const lit = /^"((?:[^"\\\n]|\\.)*)"\s*,/.exec(rest);
    if (lit) statements.push(normalize(lit[1]!.replace(/\\(.)/g, "$1")));
    else notLiteral.push(rest.slice(0, 80));
  }
  return { statements, notLiteral };
}

describe("proseClaims finds the numbers a reader takes as results", () => {
  test("the issue's examples are claims", () => {
    const found = (md: string) => proseClaims(md).map((c) => c.token);
    expect(found("About a quarter, and no cell comes close to zero")).toEqual(["about a quarter"]);
    expect(found("the summary says (relative difference ≈ 0.25 here)")).toEqual(["≈ 0.25"]);
    expect(found("the border positions differ by 30–50 %.")).toEqual(["30–50 %"]);
    expect(found("classified correctly: 162 of 200 (chance: 10)")).toEqual(["162 of 200"]);
    expect(found("the classifier gets 83 % of single digits right (notebook 01)")).toEqual(["83 %"]);
    expect(found("changes mean IU by a few tenths of a point")).toEqual(["a few tenths"]);
    expect(found("17× fewer MACs than 100 windows")).toEqual(["17× fewer"]);
    expect(found("a band of about 112 px along every edge")).toEqual(["about 112 px"]);
    expect(found("nine pixels in ten are background")).toEqual(["nine pixels in ten"]);
    expect(found("hold 14.7M parameters (10.6 %)")).toEqual(["14.7m", "10.6 %"]);
    expect(found("trained at 3/64 of the width")).toEqual(["3/64"]);
    expect(found("it took 2.5 s; the output is 0.66 at most")).toEqual(["2.5 s", "0.66"]);
  });

  test("names, sizes, formulas and code are not claims", () => {
    const md = [
      "## 3 · The surgery: section 3.1 of the paper, Table 2 and Figure 4, notebooks 02–04, notebook 01.",
      "Layers conv5_3, pool4, fc6; nets FCN-8s, FCN-16s and FCN-32s (16s and 8s), voc-fcn8s, VOC2011; kernels k4 s2.",
      "A 224×224 image, a 7 × 7 × 512 block, test scenes 4, 6, 3, digits 0–9, cell (1, 1), class 9, the 2× case.",
      "A formula $1 - 32/404 \\approx 92\\,\\%$ and $$r' = r + (k - 1)\\,j$$ and code `width: 1 / 8` and `0.25`.",
      "A link [02 · Coarse maps](02-coarse-maps.ipynb) and 11 classes, 21 scores, 1000 classes.",
    ].join("\n");
    expect(proseClaims(md)).toEqual([]);
  });

  test("the claim's context is the prose around it", () => {
    const [c] = proseClaims("The three fully connected layers hold the other 89 %, and fc6 alone holds most.");
    expect(c!.token).toBe("89 %");
    expect(c!.context).toContain("fully connected layers hold the other 89 %");
  });
});

describe("claim(), the check beside a sentence", () => {
  test("quiet when the claim holds", () => {
    expect(() => claim("fc6 alone holds 74 %", true, "")).not.toThrow();
  });

  test("throws a ClaimError that quotes the sentence and what was found", () => {
    let error: unknown;
    try {
      claim("fc6 alone holds 74 %", false, "fc6 holds 73.1 %");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClaimError);
    expect((error as Error).message).toContain('The text says "fc6 alone holds 74 %", but fc6 holds 73.1 %.');
    expect((error as Error).message).toMatch(/rewrite the sentence/);
  });
});

describe("cited facts", () => {
  test.each(FACTS.filter((f) => f.check).map((f) => [f.token, f] as const))("%s is what the library computes", (_, f) => {
    expect(f.check!(), `${f.token}: ${f.source}`).toBe(true);
  });
});

describe("notebook prose", () => {
  test("there are notebooks", () => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  for (const f of notebooks) {
    test(`${f}: every number the prose states is a cited fact or checked by a claim(...)`, () => {
      const nb = read(f);
      const { statements, notLiteral } = claimStatements(nb);
      expect(notLiteral, "a claim(...) whose statement is not a string literal: the statement must quote the prose").toEqual([]);
      const facts = new Set(FACTS.map((x) => x.token));
      const unchecked: string[] = [];
      nb.cells.forEach((c, i) => {
        if (c.cell_type !== "markdown") return;
        for (const { token, context } of proseClaims(text(c.source))) {
          if (facts.has(token) || statements.some((s) => s.includes(token))) continue;
          unchecked.push(`cell ${i + 1}: "${token}" in "…${context}…"`);
        }
      });
      expect(unchecked, `${f}: numbers in the prose that nothing checks. Write them from the value (tslab.display.markdown), ` +
        `or add claim("<the sentence>", <test>, <what was found>) beside them, or cite them in FACTS of this test if the paper or REFERENCE.md fixes them`).toEqual([]);
    });
  }

  test("every claim(...) statement is a sentence, not a label", () => {
    for (const f of notebooks) {
      for (const s of claimStatements(read(f)).statements) expect(s.split(" ").length, `${f}: claim statement "${s}"`).toBeGreaterThanOrEqual(4);
    }
  });
});
