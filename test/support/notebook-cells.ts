/**
 * The cells of an executed notebook's section on the published nets: the code cells whose
 * ids start with "real-" (the first decides, from the cache; the others are the section),
 * with what they showed, for the notebook tests.
 */
export interface ExecutedNotebook {
  readonly cells: readonly {
    readonly id?: string;
    readonly cell_type: string;
    readonly outputs?: readonly { readonly output_type: string; readonly text?: string | string[]; readonly data?: Record<string, string | string[]> }[];
  }[];
}

export interface RealCell {
  readonly id: string;
  /** Printed text and text/plain or text/markdown outputs, joined. */
  readonly text: string;
  readonly outputs: number;
  /** image/png outputs (every figure is sent with a PNG). */
  readonly images: number;
}

const join = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

export function realCells(nb: ExecutedNotebook): RealCell[] {
  return nb.cells
    .filter((c) => c.cell_type === "code" && c.id?.startsWith("real-"))
    .map((c) => {
      const outputs = c.outputs ?? [];
      const text = outputs.map((o) => join(o.text) + join(o.data?.["text/markdown"]) + join(o.data?.["text/plain"])).join("\n");
      return { id: c.id!, text, outputs: outputs.length, images: outputs.filter((o) => o.data?.["image/png"] !== undefined).length };
    });
}
