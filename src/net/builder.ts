import type { CoordMap } from "../../core/coord-map.js";
import type { ModelName, NetNode, NetSpec, Op } from "./spec.js";

/**
 * Builds a NetSpec one blob at a time, and tracks each blob's coordinate map so that
 * crop offsets are derived, never typed in.
 *
 * Coordinate maps follow Caffe's coord_map.py. For a layer with kernel k, stride s,
 * pad p, a bottom coordinate x maps to a top coordinate
 *   conv / pool:  x' = x / s + (p - (k - 1) / 2) / s
 *   deconv:       x' = s * x + (k - 1) / 2 - p
 * Composing these from the image to a blob gives blob = a * image + b. Two blobs with
 * the same a are on the same grid, shifted by the difference of their b: that
 * difference is the crop offset (19 for FCN-32s, 5 / 9 / 31 for FCN-8s).
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
    this.coords.set(name, { a: 1, b: 0 });
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
    const stride = o.stride ?? 1;
    const pad = o.pad ?? 0;
    this.mapCoords(name, bottom, (m) => ({ a: m.a / stride, b: (m.b + pad - (o.kernel - 1) / 2) / stride }));
    const op: Op = {
      type: "conv",
      kernel: o.kernel,
      stride,
      pad,
      inChannels: this.channelsOf(bottom),
      outChannels: o.out,
      relu: o.relu ?? false,
    };
    return this.add(name, op, [bottom], o.out);
  }

  pool(name: string, bottom: string, o: { kernel: number; stride: number }): string {
    this.mapCoords(name, bottom, (m) => ({ a: m.a / o.stride, b: (m.b - (o.kernel - 1) / 2) / o.stride }));
    return this.add(name, { type: "pool", kernel: o.kernel, stride: o.stride }, [bottom], this.channelsOf(bottom));
  }

  /** A classifier's fully connected layer: no coordinate map beyond this point. */
  fc(name: string, bottom: string, o: { window: number; out: number; relu: boolean }): string {
    const op: Op = { type: "fc", window: o.window, inChannels: this.channelsOf(bottom), outChannels: o.out, relu: o.relu };
    return this.add(name, op, [bottom], o.out);
  }

  deconv(name: string, bottom: string, o: { kernel: number; stride: number }): string {
    this.mapCoords(name, bottom, (m) => ({ a: m.a * o.stride, b: m.b * o.stride + (o.kernel - 1) / 2 }));
    const c = this.channelsOf(bottom);
    return this.add(name, { type: "deconv", kernel: o.kernel, stride: o.stride, channels: c }, [bottom], c);
  }

  /** Crop `bottom` to `reference`'s size and grid; the offset comes from the coordinate maps. */
  crop(name: string, bottom: string, reference: string): string {
    const from = this.coordsOf(bottom);
    const to = this.coordsOf(reference);
    if (from.a !== to.a) {
      throw new Error(`cannot crop ${bottom} to ${reference}: their strides differ (${1 / from.a} vs ${1 / to.a})`);
    }
    const offset = (from.b - to.b);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new Error(`cannot crop ${bottom} to ${reference}: offset ${offset} is not a whole, non-negative number`);
    }
    this.coords.set(name, to);
    return this.add(name, { type: "crop", reference, offset }, [bottom], this.channelsOf(bottom));
  }

  sum(name: string, ...bottoms: string[]): string {
    const maps = bottoms.map((b) => this.coordsOf(b));
    if (maps.some((m) => m.a !== maps[0]!.a || m.b !== maps[0]!.b)) {
      throw new Error(`cannot sum ${bottoms.join(" + ")}: they are not aligned on the same grid`);
    }
    this.coords.set(name, maps[0]!);
    return this.add(name, { type: "sum" }, bottoms, this.channelsOf(bottoms[0]!));
  }

  scale(name: string, bottom: string, factor: number): string {
    this.mapCoords(name, bottom, (m) => m);
    return this.add(name, { type: "scale", factor }, [bottom], this.channelsOf(bottom));
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
    const m = this.coords.get(blob);
    if (!m) throw new Error(`${blob} has no coordinate map (it is past a fully connected layer)`);
    return m;
  }

  private mapCoords(name: string, bottom: string, f: (m: CoordMap) => CoordMap): void {
    const m = this.coords.get(bottom);
    if (m) this.coords.set(name, f(m));
  }

  private add(name: string, op: Op, inputs: string[], channels: number): string {
    if (this.channels.has(name)) throw new Error(`internal: duplicate blob ${name}`);
    this.nodes.push({ name, op, inputs });
    this.channels.set(name, channels);
    return name;
  }
}
