/**
 * How long reading a full-width .caffemodel takes, and its peak memory, per reader:
 *
 *   fcn-viz        readWeights(path): the structure walked with positional reads, each
 *                  blob read straight into its tfjs-layout Float32Array a block at a time
 *   fcn-viz-bytes  readWeightsBytes: the browser's path, from the whole file in memory
 *   protobufjs     (if installed) the whole file decoded by a protobufjs decoder of the
 *                  same caffe.proto fields, floats then copied into Float32Arrays (no layout
 *                  conversion: flattering it). Not a dependency; to compare:
 *                    npm install --no-save protobufjs && npm run build && node dist/bench/caffemodel-read.js
 *
 * Each reader runs in its own process, so its peak RSS is its own; "added" is the peak
 * minus the process's RSS before reading (Node, tfjs and the reader's code).
 *
 *   npm run build && node dist/bench/caffemodel-read.js [--model fcn8s|vgg16] [--file F.caffemodel]
 */
import { execFileSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readWeights, readWeightsBytes } from "../src/weights/index.js";
import { randomCaffemodelFile, type CaffeModelKind } from "../test/support/caffemodel.js";

const READERS = ["fcn-viz", "fcn-viz-bytes", "protobufjs"] as const;
type ReaderName = (typeof READERS)[number];

interface Result {
  reader: ReaderName;
  seconds: number;
  peakMB: number;
  baseMB: number;
  floats: number;
}

/** The caffe.proto fields a weights reader needs (protobufjs skips the others). */
const PROTO = `syntax = "proto2"; package caffe;
message BlobShape { repeated int64 dim = 1 [packed = true]; }
message BlobProto { optional BlobShape shape = 7; repeated float data = 5 [packed = true]; repeated double double_data = 8 [packed = true];
  optional int64 num = 1; optional int64 channels = 2; optional int64 height = 3; optional int64 width = 4; }
message LayerParameter { optional string name = 1; optional string type = 2; repeated BlobProto blobs = 7; }
message V1LayerParameter { optional string name = 4; optional int32 type = 5; repeated BlobProto blobs = 6; }
message NetParameter { optional string name = 1; repeated LayerParameter layer = 100; repeated V1LayerParameter layers = 2; }`;

const mb = (bytes: number) => Math.round(bytes / 1e6);

async function child(reader: ReaderName, file: string): Promise<Result | null> {
  const baseMB = mb(process.memoryUsage().rss);
  const t0 = performance.now();
  let floats = 0;
  if (reader === "protobufjs") {
    let pb: { parse(s: string): { root: { lookupType(n: string): { decode(b: Uint8Array): unknown } } } };
    try {
      const name = "protobufjs";
      pb = ((await import(name)) as { default: typeof pb }).default;
    } catch {
      return null;
    }
    const Net = pb.parse(PROTO).root.lookupType("caffe.NetParameter");
    const net = Net.decode(await fsp.readFile(file)) as { layer: Layer[]; layers: Layer[] };
    type Layer = { blobs: { data: number[] }[] };
    for (const l of [...net.layer, ...net.layers]) for (const b of l.blobs) floats += Float32Array.from(b.data).length;
  } else {
    const w = reader === "fcn-viz" ? await readWeights(file) : await readWeightsBytes({ name: file, bytes: await fsp.readFile(file) });
    for (const t of w.params.values()) floats += t.data.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { reader, seconds, peakMB: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6), baseMB, floats };
}

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: "string", default: "fcn8s" },
      file: { type: "string" },
      child: { type: "string" },
      readers: { type: "string", default: READERS.join(",") },
    },
  });
  if (values.child) {
    process.stdout.write(JSON.stringify(await child(values.child as ReaderName, values.file!)));
    return;
  }
  let file = values.file;
  let dir: string | undefined;
  if (!file) {
    dir = await fsp.mkdtemp(join(tmpdir(), "fcn-viz-bench-"));
    file = join(dir, `${values.model}.caffemodel`);
    process.stderr.write(`writing a full-width random ${values.model} .caffemodel...\n`);
    await randomCaffemodelFile(file, values.model as CaffeModelKind);
  }
  try {
    const size = (await fsp.stat(file)).size;
    process.stdout.write(`${file}: ${mb(size)} MB\nreader          time      peak RSS   added   added / file\n`);
    for (const reader of values.readers!.split(",") as ReaderName[]) {
      let r: Result | null = null;
      try {
        const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", reader, "--file", file], { stdio: ["ignore", "pipe", "inherit"] });
        r = JSON.parse(out.toString()) as Result | null;
      } catch {
        process.stdout.write(`${reader.padEnd(15)} failed (see above)\n`);
        continue;
      }
      if (!r) {
        process.stdout.write(`${reader.padEnd(15)} not installed (npm install --no-save ${reader} to compare)\n`);
        continue;
      }
      const added = r.peakMB - r.baseMB;
      process.stdout.write(
        `${reader.padEnd(15)} ${r.seconds.toFixed(2).padStart(6)} s ${String(r.peakMB).padStart(8)} MB ${String(added).padStart(6)} MB ${(added / mb(size)).toFixed(2).padStart(8)}x\n`,
      );
    }
  } finally {
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  }
}

await main();
