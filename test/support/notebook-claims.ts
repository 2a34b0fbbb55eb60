/**
 * Finds the quantitative claims in a notebook's prose: the numbers a reader takes as a
 * result (a percentage, "162 of 200", "0.66", "17× fewer", "about 112 px", "a few
 * tenths", "nine pixels in ten"), as opposed to the numbers that only name something
 * (section 3.1, notebook 02, conv5_3, Table 2, test scene 4, digits 0–9) or size
 * something by construction (224×224). Formulas ($...$, $$...$$) and code spans are left
 * out: a formula's arithmetic is there to be read and checked by the reader.
 *
 * Used by test/notebook-claims.test.ts, which requires every claim found here to be a
 * cited fact of the paper or of the spec, or to be checked by a `claim(...)` call in the
 * same notebook.
 */

export interface ProseClaim {
  /** The claim as written, normalized (one space, lower case): what the allowlist and claim() statements are matched against. */
  readonly token: string;
  /** Up to 40 characters either side, for the failure message. */
  readonly context: string;
}

const NUM = String.raw`\d+(?:,\d{3})*(?:\.\d+)?`;
const RANGE = String.raw`${NUM}(?:\s*[–-]\s*${NUM})?`;
const WORD_NUM = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|a hundred|a thousand";
const FRACTION_WORDS = "half|halves|third|thirds|quarter|quarters|fifth|fifths|sixth|sixths|eighth|eighths|tenth|tenths|twentieth|twentieths|hundredth|hundredths";
/** Units written against the number or after a space ("14.7M", "10.6 %", "12.5 px"). */
const TIGHT_UNITS = ["%", "px", "kB", "MB", "MiB", "GB", "GiB", "M", "G", "GFLOP/s", "GFLOPs?", "dB"].join("|");
/** Units after a space only ("16s" is FCN-16s, "1.5 s" is a time). */
const SPACED_UNITS = [
  "percent", "per cent", "ms", "s", "sec", "seconds?", "min", "minutes?", "hours?", "points?", "pixels?", "million", "billion",
  "thousand", "MACs", "FLOPs", "times", "fold", "steps",
].join("|");
const UNITS = `${TIGHT_UNITS}|${SPACED_UNITS}`;
/** "17× fewer", "2.04x the": a measured ratio (a bare "8×" names a scale factor). */
const COMPARATIVE = "fewer|more|less|cheaper|faster|slower|larger|smaller|as|the|bigger|longer|higher|lower|coarser|finer|wider";

/** Patterns of a quantitative claim; each match is one claim. Order matters only for overlaps (first wins). */
const PATTERNS: readonly RegExp[] = [
  // "162 of 200", "one in twenty", "9 out of 10"
  new RegExp(String.raw`\b(?:${NUM}|${WORD_NUM}|a few|a handful)(?:\s+\w+)?\s+(?:of|in|out of)\s+(?:the\s+)?(?:${NUM}|${WORD_NUM})\b(?!\s*[×x]\s*\d)`, "gi"),
  // "about a quarter", "a few tenths", "two thirds", "a fifth"
  new RegExp(String.raw`\b(?:(?:about|roughly|nearly|almost|around|over|under|just|some)\s+)?(?:(?:a few|a|an|one|two|three|four|nine)\s+)?(?:${FRACTION_WORDS})\b`, "gi"),
  // "twice as", "doubles", "a few dozen"
  /\b(?:twice|double[sd]?|triple[sd]?|a few dozen|dozens)\b/gi,
  // "≈ 0.25", "~0.27", "about 112 px", "more than 5 times"
  new RegExp(String.raw`(?:≈|~|\babout|\broughly|\bnearly|\balmost|\baround|\bapproximately|\bmore than|\bless than|\bfewer than|\bat least|\bat most|\bup to|\bwithin|\bunder|\bover|\bbelow|\babove)\s*${RANGE}(?:\s*(?:${UNITS})(?![\w/]))?`, "gi"),
  // "30–50 %", "14.7M", "1.5 s", "2.9 times"
  new RegExp(String.raw`\b${RANGE}(?:\s*(?:${TIGHT_UNITS})|\s+(?:${SPACED_UNITS}))(?![\w/])`, "g"),
  // "17× fewer", "2.04x the"
  new RegExp(String.raw`\b${NUM}\s*[×x]\s+(?:${COMPARATIVE})\b`, "gi"),
  // a bare decimal: "0.66", "111.5"
  new RegExp(String.raw`(?<![\w.])\d+\.\d+(?![\w.])`, "g"),
  // a fraction of something: "1/8 of", "3/64 width"
  /(?<![\w/])\d+\/\d+(?![\w/])/g,
];

/** What to blank out before looking: formulas, code, link targets, image data, HTML tags. */
function prose(markdown: string): string {
  return markdown
    .replace(/\$\$[\s\S]*?\$\$/g, " ")
    .replace(/\$[^$\n]+\$/g, " ")
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`[^`\n]*`/g, " ")
    .replace(/\]\([^)]*\)/g, "]")
    .replace(/<[^>]+>/g, " ");
}

/** Numbers that name things: references, identifiers, headings' numbers. Blanked before matching. */
const NAMES: readonly RegExp[] = [
  /^#+\s*\d+\s*·/gm,                                                                   // "## 3 · ..."
  /\b(?:notebooks?|sections?|figures?|tables?|fig\.|eq\.|test scenes?|scenes?|steps? \d|stage|labels?|digits?|class|tiles?|cells?|rows?|columns?|positions?)\s+\d+(?:\.\d+)*(?:\s*(?:[–,-]|and|or)\s*\d+(?:\.\d+)*)*/gi,
  /\b[A-Za-z_-]*[A-Za-z_-]\d+[\w-]*/g,                                                 // conv5_3, VOC2011, fcn8s, FCN-8s, k4, s2
  /\b\d+(?:st|nd|rd|th)\b/g,                                                           // 1st, 5th
  /\b\d+\s*[×x]\s*\d+(?:\s*[×x]\s*\d+)*\b/g,                                           // sizes: 224×224, 7 × 7 × 512
  /\(\s*\d+\s*,\s*\d+\s*\)/g,                                                          // positions: (1, 1)
];

export function proseClaims(markdown: string): ProseClaim[] {
  let text = prose(markdown);
  for (const re of NAMES) text = text.replace(re, (m) => " ".repeat(m.length));
  const taken = new Array<boolean>(text.length).fill(false);
  const found: { at: number; token: string }[] = [];
  for (const re of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const at = m.index!;
      if (taken.slice(at, at + m[0].length).some(Boolean)) continue;
      for (let i = at; i < at + m[0].length; i++) taken[i] = true;
      found.push({ at, token: m[0] });
    }
  }
  return found
    .sort((a, b) => a.at - b.at)
    .map(({ at, token }) => ({
      token: normalize(token),
      context: markdown.length ? prose(markdown).slice(Math.max(0, at - 40), at + token.length + 40).replace(/\s+/g, " ").trim() : "",
    }));
}

/** One space for any run of white space (incl. thin and non-breaking spaces), lower case. */
export function normalize(s: string): string {
  return s.replace(/[\s\u00a0\u2009\u202f]+/g, " ").trim().toLowerCase();
}
