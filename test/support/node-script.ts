/** Runs the project's Node scripts (scripts/*.mjs) as child processes, for the notebook and lab tests. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "../../scripts/notebook-env.mjs";

/** Runs a Node script of scripts/ with extra environment variables; resolves with its exit code and output. */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, "scripts", script), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}
