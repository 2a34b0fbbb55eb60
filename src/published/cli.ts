/** `fcn-viz fetch`: the command line of the published weights (see fetch.ts). */
import { parseArgs } from "node:util";
import { cacheTarget, cachedWeightsPath, recordedSha256, weightsCacheDir } from "./cache.js";
import { fetchWeights } from "./fetch.js";
import { downloadReporter, type ProgressOutput } from "./progress.js";
import { PUBLISHED_WEIGHTS, sizeText, type Registry } from "./registry.js";

export const FETCH_USAGE = `fcn-viz fetch NAME [--url URL] [--from FILE]
      put the published weights NAME into the cache (download, or import a copy you have)
  fcn-viz fetch --list      every NAME with its size, licence and whether it is cached`;

const fetchHelp = (cacheDir: string) => `${FETCH_USAGE}

  --url URL    download from another address (a mirror); its size may differ (warning)
  --from FILE  import a copy you already have (copied, not moved)
Every file is checked before it is installed: its size and checksum where published, and
every tensor against the net it names. An interrupted download resumes where it stopped.
The cache: $FCN_VIZ_CACHE, else $XDG_CACHE_HOME/fcn-viz, else your user cache folder
(~/.cache/fcn-viz on Linux). Now: ${cacheDir}
Nothing else in fcn-viz downloads anything. Then: fcn-viz segment photo.jpg --weights NAME`;

export interface FetchCommandOptions {
  readonly registry?: Registry;
  /** Where the progress bar goes (default stderr). */
  readonly progress?: ProgressOutput;
}

export async function fetchCommand(args: string[], log: (line: string) => void, o: FetchCommandOptions = {}): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      from: { type: "string" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const registry = o.registry ?? PUBLISHED_WEIGHTS;
  if (values.help) {
    process.stdout.write(fetchHelp(weightsCacheDir()) + "\n");
    return;
  }
  if (values.list) {
    process.stdout.write(listText(registry) + "\n");
    return;
  }
  const [name, extra] = positionals;
  if (!name) throw new Error(`fetch needs a NAME: ${registry.map((w) => w.name).join(", ")}\n\n${FETCH_USAGE}`);
  if (extra) throw new Error(`fetch takes one NAME, got "${name}" and "${extra}"`);
  const out = o.progress ?? { write: (s: string) => void process.stderr.write(s), isTTY: !!process.stderr.isTTY };
  const bar = downloadReporter(name, out);
  try {
    await fetchWeights(name, {
      ...(values.url ? { url: values.url } : {}),
      ...(values.from ? { from: values.from } : {}),
      registry,
      onProgress: (p) => bar.update(p),
      log: (line) => {
        bar.done();
        log(line);
      },
    });
  } finally {
    bar.done();
  }
}

/** `fetch --list`: each name, what it is, its size and licence, and where it is cached. */
export function listText(registry: Registry = PUBLISHED_WEIGHTS): string {
  const lines = [`weights cache: ${weightsCacheDir()}`, ""];
  for (const w of registry) {
    const cached = cachedWeightsPath(w.name, registry);
    const sha = cached ? recordedSha256(cached) : undefined;
    lines.push(`${w.name}  (${w.model}${w.atOnce ? " at once" : ""}, ${w.classes} classes, ${w.format}, ${sizeText(w)})`);
    lines.push(`    ${w.description}${w.figure ? `; ${w.figure}` : ""}`);
    lines.push(`    licence: ${w.licence}`);
    lines.push(cached ? `    cached: ${cached}${sha ? ` (sha256 ${sha.slice(0, 16)}...)` : ""}` : `    not cached: npx fcn-viz fetch ${w.name}   (-> ${cacheTarget(w)})`);
  }
  return lines.join("\n");
}
