import type { CoordMap } from "../../core/coord-map.js";
import { cropOffset } from "./ops/crop.js";
import { opDef } from "./ops/index.js";
import { knownMap } from "./ops/op-def.js";
import type { ModelName, NetNode, NetSpec, Op } from "./spec.js";

/**
 * Builds a NetSpec one blob at a time, and tracks each blob's coordinate map so that
 * crop offsets are derived, never typed in.
 *
 * Coordinate maps follow Caffe's coord_map.py: each op maps a bottom coordinate x to a
 * top coordinate x' (conv / pool: x' = x / s + (p - (k - 1) / 2) / s; deconv:
 * x' = s * x + (k - 1) / 2 - p; each op's `coordMap` in ops/). Composing these from the
 * image to a blob gives blob = a * image + b. Two blobs with the same a are on the same
 * grid, shifted by the difference of their b: that difference is the crop offset (19 for
 * FCN-32s, 5 / 9 / 31 for FCN-8s).
 */
export class NetBuilder {
  private readonly nodes: NetNode[] = [];
  private readonly coords = new Map<string, CoordMap>();
  private readonly channels = new Map<string, number>();

  constructor(
    readonly model: ModelName,
    readonly classes: number,
    readonly width: number,
  ) {}

  input(name: string, channels: number): string {
    return this.add(name, { type: "input", channels }, [], channels);
  }

  channelsOf(blob: string): number {
    const c = this.channels.get(blob);
    if (c === undefined) throw new Error(`internal: unknown blob ${blob}`);
    return c;
  }

  conv(
    name: string,
    bottom: string,
    o: { kernel: number; out: number; pad?: number; stride?: number; relu?: boolean },
  ): string {
    const op: Op = {
      type: "conv",
      kernel: o.kernel,
      stride: o.stride ?? 1,
      pad: o.pad ?? 0,
      inChannels: this.channelsOf(bottom),
      outChannels: o.out,
      relu: o.relu ?? false,
    };
    return this.add(name, op, [bottom], o.out);
  }

  pool(name: string, bottom: string, o: { kernel: number; stride: number }): string {
    return this.add(name, { type: "pool", kernel: o.kernel, stride: o.stride }, [bottom]);
  }

  /** A classifier's fully connected layer: no coordinate map beyond this point. */
  fc(name: string, bottom: string, o: { window: number; out: number; relu: boolean }): string {
    const op: Op = { type: "fc", window: o.window, inChannels: this.channelsOf(bottom), outChannels: o.out, relu: o.relu };
    return this.add(name, op, [bottom], o.out);
  }

  deconv(name: string, bottom: string, o: { kernel: number; stride: number }): string {
    const c = this.channelsOf(bottom);
    return this.add(name, { type: "deconv", kernel: o.kernel, stride: o.stride, channels: c }, [bottom], c);
  }

  /** Crop `bottom` to `reference`'s size and grid; the offset comes from the coordinate maps. */
  crop(name: string, bottom: string, reference: string): string {
    const offset = cropOffset(this.coordsOf(bottom), this.coordsOf(reference), bottom, reference);
    return this.add(name, { type: "crop", reference, offset }, [bottom]);
  }

  sum(name: string, ...bottoms: string[]): string {
    return this.add(name, { type: "sum" }, bottoms);
  }

  scale(name: string, bottom: string, factor: number): string {
    return this.add(name, { type: "scale", factor }, [bottom]);
  }

  build(output: string, fixedInput: number | null = null): NetSpec {
    return {
      model: this.model,
      classes: this.classes,
      width: this.width,
      nodes: [...this.nodes],
      output,
      coords: new Map(this.coords),
      fixedInput,
    };
  }

  private coordsOf(blob: string): CoordMap {
    return knownMap((b) => this.coords.get(b), blob);
  }

  /**
   * Appends the blob with its coordinate map (from the op's table entry, which checks
   * that its inputs can be combined). `channels`: the output's, for ops that change them;
   * default the first input's, read after the map so that a bad sum says so first.
   */
  private add(name: string, op: Op, inputs: string[], channels?: number): string {
    const node: NetNode = { name, op, inputs };
    const m = opDef(op).coordMap(node, (b) => this.coords.get(b));
    if (m) this.coords.set(name, m);
    const c = channels ?? this.channelsOf(inputs[0]!);
    if (this.channels.has(name)) throw new Error(`internal: duplicate blob ${name}`);
    this.nodes.push(node);
    this.channels.set(name, c);
    return name;
  }
}
