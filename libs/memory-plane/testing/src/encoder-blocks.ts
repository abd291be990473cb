import { prng } from '@cp/shared/testing';
import { ATTR, ELEM } from './onnx-schema';

/** Nodes and weights (ONNX `NodeProto` / `TensorProto` objects for protobufjs) of a graph part. */
export interface GraphPart {
  nodes: object[];
  initializers: object[];
}

/**
 * `layers` transformer-encoder-shaped blocks over [batch, seq, dim] (single-head self-attention,
 * a 4x feed-forward, residuals; no layer norm) with small random weights: the per-token compute
 * of a MiniLM-sized encoder at dim 384, for timing the embedder. Its vectors mean nothing.
 */
export function encoderBlocks(input: string, output: string, dim: number, layers: number, seed = 7): GraphPart {
  const rand = prng(seed);
  const part: GraphPart = { nodes: [], initializers: [] };
  const weight = (name: string, dims: number[]) => {
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * 0.04);
    part.initializers.push({ name, dataType: ELEM.FLOAT, dims, rawData: Buffer.from(data.buffer) });
    return name;
  };
  const node = (opType: string, inputs: string[], out: string, attribute: object[] = []) => {
    part.nodes.push({ opType, name: out, input: inputs, output: [out], attribute });
    return out;
  };
  const scale = weight('attention_scale', []);
  let x = input;
  for (let l = 0; l < layers; l++) {
    const p = `l${l}_`;
    const q = node('MatMul', [x, weight(`${p}wq`, [dim, dim])], `${p}q`);
    const k = node('MatMul', [x, weight(`${p}wk`, [dim, dim])], `${p}k`);
    const v = node('MatMul', [x, weight(`${p}wv`, [dim, dim])], `${p}v`);
    const kt = node('Transpose', [k], `${p}kt`, [{ name: 'perm', type: ATTR.INTS, ints: [0, 2, 1] }]);
    const scores = node('Mul', [node('MatMul', [q, kt], `${p}qk`), scale], `${p}scores`);
    const attended = node('MatMul', [node('Softmax', [scores], `${p}attn`, [{ name: 'axis', type: ATTR.INT, i: -1 }]), v], `${p}ctx`);
    const x1 = node('Add', [x, node('MatMul', [attended, weight(`${p}wo`, [dim, dim])], `${p}o`)], `${p}res1`);
    const hidden = node('Relu', [node('MatMul', [x1, weight(`${p}w1`, [dim, 4 * dim])], `${p}ff1`)], `${p}act`);
    x = node('Add', [x1, node('MatMul', [hidden, weight(`${p}w2`, [4 * dim, dim])], `${p}ff2`)], layers - 1 === l ? output : `${p}out`);
  }
  return part;
}
