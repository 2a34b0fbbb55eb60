/**
 * Text measurement without a browser: advance widths of DejaVu Sans (regular and
 * bold, 1/1000 em), read from the font files once and stored here. Figures use them to
 * size columns and avoid overlaps; other fonts in the stack are narrower or equal.
 */

const CHARS =
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~×·–—…→←↓↑≈Σ²³µ⁻±°′−";

// prettier-ignore
const REGULAR = [318,401,460,838,636,950,780,275,390,390,500,838,318,361,318,337,636,636,636,636,636,636,636,636,636,636,337,337,838,838,838,531,1000,684,686,698,770,632,575,775,752,295,295,656,557,863,748,787,603,787,695,635,611,732,684,989,685,611,685,390,337,390,838,500,500,613,635,550,635,615,352,635,634,278,278,579,278,974,634,612,635,635,411,521,392,634,592,818,592,592,525,636,337,636,838,838,318,500,1000,1000,838,838,838,838,838,632,401,401,636,528,838,500,227,838];
// prettier-ignore
const BOLD = [348,456,521,838,696,1002,872,306,457,457,523,838,380,415,380,365,696,696,696,696,696,696,696,696,696,696,400,400,838,838,838,580,1000,774,762,734,830,683,683,821,837,372,372,775,637,995,837,850,733,850,770,720,682,812,774,1103,771,724,725,457,365,457,838,500,500,675,716,593,716,678,435,716,712,343,343,665,343,1042,712,687,716,716,493,595,478,712,652,924,645,652,582,712,365,712,838,838,380,500,1000,1000,838,838,838,838,838,683,438,438,736,528,838,500,264,838];

const regular = new Map<string, number>();
const bold = new Map<string, number>();
[...CHARS].forEach((ch, i) => {
  regular.set(ch, REGULAR[i]!);
  bold.set(ch, BOLD[i]!);
});

/** Width in px of `s` set in the figure font at `size` px. Unknown characters count as "M". */
export function textWidth(s: string, size: number, isBold = false): number {
  const table = isBold ? bold : regular;
  const fallback = table.get("M")!;
  let units = 0;
  for (const ch of s) units += table.get(ch) ?? fallback;
  return (units * size) / 1000;
}

/** Cuts `s` with an ellipsis so that it fits in `width` px. */
export function fitText(s: string, width: number, size: number, isBold = false): string {
  if (textWidth(s, size, isBold) <= width) return s;
  const chars = [...s];
  while (chars.length > 1 && textWidth(chars.join("") + "…", size, isBold) > width) chars.pop();
  return chars.join("") + "…";
}
