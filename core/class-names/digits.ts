/**
 * The project's digit scenes (src/data/scenes.ts): background, then the digits 0..9
 * (label = index; 255 is "ignore", not a class).
 */
export const DIGIT_CLASS_NAMES: readonly string[] = ["background", ...Array.from({ length: 10 }, (_, d) => `digit ${d}`)];
