/** The CLI in-process (main() from src/cli.ts), shared by the CLI tests. */
import { vi } from "vitest";
import { main } from "../../src/cli.js";

/** Runs the CLI in-process; returns its exit code and what it printed to stdout and stderr. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out, err };
}
