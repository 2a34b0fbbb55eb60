/** Convolution + bias (+ ReLU), weights [kH, kW, in, out]: VGG16's layers and the score layers. */
import * as tf from "@tensorflow/tfjs";
import { conv as trainConv } from "../../train/ops.js";
import { chunkedLayer } from "../filter-chunks.js";
import { FLOAT, POINTER, f32, isSplit, type PassTensor } from "../pass-tensors.js";
import { hasIndirection, wasmKeepsConvBuffers } from "../strategy.js";
import type { OpDef } from "./op-def.js";

function convOut(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

export const convOp: OpDef<"conv"> = {
  shape({ op, inputs }, [src]) {
    const shape = [convOut(src![0], op.kernel, op.stride, op.pad), convOut(src![1], op.kernel, op.stride, op.pad), op.outChannels] as const;
    if (shape[0] < 1 || shape[1] < 1) return `needs at least ${op.kernel}x${op.kernel} from ${inputs[0]}, which is ${src![0]}x${src![1]}`;
    return shape;
  },
  // Caffe's coord_map.py: x' = x / s + (p - (k - 1) / 2) / s.
  coordMap({ op, inputs }, mapOf) {
    const m = mapOf(inputs[0]!);
    return m && { a: m.a / op.stride, b: (m.b + op.pad - (op.kernel - 1) / 2) / op.stride };
  },
  field: (op, [s]) => ({ stride: s!.stride * op.stride, rf: s!.rf + (op.kernel - 1) * s!.stride }),
  macs: (op, out) => out[0] * out[1] * op.outChannels * op.kernel * op.kernel * op.inChannels,
  settings: ({ kernel, stride, pad, relu }) => ({ kernel, stride, pad, relu }),
  role: "feature",
  params: ({ name, op }) => [
    { name: `${name}.weight`, layer: name, role: "weight", kind: "conv", shape: [op.kernel, op.kernel, op.inChannels, op.outChannels] },
    { name: `${name}.bias`, layer: name, role: "bias", kind: "conv", shape: [op.outChannels] },
  ],
  inference: {
    prepare({ name }, params, maxWeightBytes) {
      const { chunks, biases } = chunkedLayer(params.get(`${name}.weight`)!, params.get(`${name}.bias`) as tf.Tensor1D, maxWeightBytes);
      return { weights: chunks, biases };
    },
    run({ op, name }, [x], { prepared, shapes }) {
      const { weights, biases } = prepared!;
      const [oh, ow] = shapes.get(name)!;
      // On wasm, XNNPACK keeps a convolution's indirection buffer (a pointer per output
      // pixel and kernel tap) for as long as its filter tensor lives. For the wide early
      // layers that buffer is far larger than the filter (conv1_2 on a 4000x3000 photo:
      // 480 MB for a 147 KB filter), and with every layer's kept the heap fills up: run
      // those on a copy of the filter, disposed with this tidy, which frees the buffer.
      const transient = tf.getBackend() === "wasm" && !wasmKeepsConvBuffers(op, oh, ow);
      const parts = weights.map((w, i) =>
        tf.fused.conv2d({
          x: x!,
          filter: (transient ? tf.add(w, 0) : w) as tf.Tensor4D,
          strides: op.stride,
          pad: op.pad === 0 ? "valid" : op.pad,
          bias: biases[i]!,
          activation: op.relu ? "relu" : "linear",
        }),
      );
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 3);
    },
    tensors({ name, op }, { backend, options: o, out: [bh, bw, bc], src }) {
      const list: PassTensor[] = [];
      const k = op.kernel;
      if (backend === "webgl") {
        if (k === 1 && op.stride === 1) {
          list.push(f32(`${name} matmul input`, name, [1, src[0] * src[1], op.inChannels], "scratch", true));
          list.push(f32(`${name} matmul output`, name, [1, bh * bw, op.outChannels], "scratch", true));
        } else if (!(o.directConv && op.stride <= 2)) {
          list.push(f32(`${name} im2col`, name, [1, k * k * op.inChannels, bh * bw], "scratch", true));
          list.push(f32(`${name} matmul output`, name, [1, bh * bw, op.outChannels], "scratch", true));
        }
      }
      if (backend === "wasm" && hasIndirection(op)) {
        // Kept with the layer's operator, unless `run` uses a throwaway filter copy.
        const kind = wasmKeepsConvBuffers(op, bh, bw) ? "kept" : "scratch";
        list.push({ what: `${name} indirection buffer`, layer: name, shape: [bh * bw, k * k], bytes: bh * bw * k * k * POINTER, kind });
        if (kind === "scratch") {
          // The copy and XNNPACK's packing of it.
          const copy = f32(`${name} filter copy`, name, [k, k, op.inChannels, op.outChannels], "scratch");
          list.push({ ...copy, bytes: 2 * copy.bytes });
        }
      }
      // tfjs-backend-cpu runs a fused conv as conv, then bias add, then ReLU: two outputs at once.
      if (backend === "cpu") list.push(f32(`${name} before bias`, name, [1, bh, bw, bc], "scratch"));
      if (isSplit(op.kernel * op.kernel * op.inChannels * op.outChannels * FLOAT, o)) {
        list.push(f32(`${name} output chunks`, name, [1, bh, bw, bc], "scratch"));
      }
      return list;
    },
  },
  // Through train/ops.ts's custom-gradient conv, whose gradients run on fast kernels.
  train({ name, op, inputs }, [x], ctx) {
    if (op.stride !== 1) throw new Error(`trainForward: ${name} has stride ${op.stride}; only stride 1 is supported`);
    return trainConv(x!, ctx.param(`${name}.weight`) as tf.Tensor4D, ctx.param(`${name}.bias`) as tf.Tensor1D, {
      pad: op.pad,
      relu: op.relu,
      inputGrad: inputs[0] !== ctx.image,
    });
  },
};
