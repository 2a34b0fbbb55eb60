/**
 * Adam (Kingma & Ba) over named variables, with its state exposed so a checkpoint can
 * hold it and a resumed run continues exactly where it stopped. (tf.train.adam keeps
 * its moments private to the optimizer object.)
 *
 * The paper trained with SGD + momentum (0.9; the released Caffe nets 0.99 on an
 * unnormalized loss). Adam is used here because the budget is a few thousand steps on
 * two CPU cores, from scratch for the classifier: it needs no per-layer learning-rate
 * search to converge in that many steps.
 */
import * as tf from "@tensorflow/tfjs";
import type { HostParams } from "../weights/types.js";

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** Decoupled weight decay (AdamW), per step, times the learning rate. Biases are exempt. */
  readonly weightDecay?: number;
}

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Steps taken (for the bias correction). */
  t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;

  constructor(
    /** The variables it updates, by parameter name. */
    private readonly vars: ReadonlyMap<string, tf.Variable>,
    o: AdamOptions = {},
  ) {
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    for (const [name, x] of vars) {
      // Inside tidy: the zero tensors go, the variables (which share their data) stay.
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    }
  }

  /**
   * One update with these gradients (by parameter name) at learning rate lr, times
   * `multiplier(name)` per parameter (Caffe's lr_mult; default 1).
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number, multiplier: (name: string) => number = () => 1): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, x] of this.vars) {
        const g = grads.get(name);
        if (!g) throw new Error(`Adam: no gradient for ${name}`);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
        const decay = this.weightDecay > 0 && !name.endsWith(".bias") ? tf.mul(x, this.weightDecay) : null;
        x.assign(tf.sub(x, tf.mul(decay ? tf.add(step, decay) : step, lr * multiplier(name))));
      }
    });
  }

  /** Moments as host tensors, named `adam.m.<param>` / `adam.v.<param>`. */
  async state(): Promise<HostParams> {
    const out: HostParams = new Map();
    for (const [kind, map] of [["m", this.m], ["v", this.v]] as const) {
      for (const [name, t] of map) out.set(`adam.${kind}.${name}`, { shape: t.shape, data: (await t.data()) as Float32Array });
    }
    return out;
  }

  /** Restores moments written by state() (and the step count, kept by the caller). */
  load(state: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>, t: number): void {
    for (const [kind, map] of [["m", this.m], ["v", this.v]] as const) {
      for (const [name, variable] of map) {
        const s = state.get(`adam.${kind}.${name}`);
        if (!s) throw new Error(`checkpoint has no adam.${kind}.${name}`);
        tf.tidy(() => variable.assign(tf.tensor(s.data, [...s.shape])));
      }
    }
    this.t = t;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
