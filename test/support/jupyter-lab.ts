/** A JupyterLab server for the browser tests: a free port to start it on, and stopping it. */
import type { ChildProcess } from "node:child_process";
import * as net from "node:net";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 that nothing listens on (at the time of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Stops a JupyterLab server started by a test: through the API at `base` (which stops its
 * kernels too), then SIGTERM and SIGKILL if it lingers. Nothing to do if it has exited.
 */
export async function stopLab(lab: ChildProcess | null, base: string, token: string): Promise<void> {
  if (!lab || lab.exitCode !== null) return;
  await fetch(`${base}/api/shutdown`, { method: "POST", headers: { Authorization: `token ${token}` } }).catch(() => {});
  for (let i = 0; i < 40 && lab.exitCode === null; i++) await sleep(250);
  if (lab.exitCode === null) lab.kill("SIGTERM");
  for (let i = 0; i < 20 && lab.exitCode === null; i++) await sleep(250);
  if (lab.exitCode === null) lab.kill("SIGKILL");
}
