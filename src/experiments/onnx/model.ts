import onnxProto from 'onnx-proto';
import { type CnnWeights, cnnWeights } from './cnn.js';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;

const OPSET = 13;
const ints = (name: string, values: number[]) => ({ name, ints: values, type: onnx.AttributeProto.AttributeType.INTS });
const int = (name: string, value: number) => ({ name, i: value, type: onnx.AttributeProto.AttributeType.INT });

function tensor(name: string, dims: number[], values: Float32Array) {
  // raw_data is little-endian, as Float32Array is on every platform Node runs on.
  const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData });
}

const valueInfo = (name: string, dims: Array<number | string>) =>
  onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });

/** The seeded classifier of cnn.ts as an ONNX model (opset 13, batch and image size left symbolic). */
export function encodeModel(weights: CnnWeights): Uint8Array {
  const nodes: NodeProto[] = [];
  const initializer = [];
  let current = 'image';
  const node = (opType: string, input: string[], output: string, attribute: object[] = []) => {
    nodes.push(onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute }));
    current = output;
  };
  weights.convs.forEach((layer, i) => {
    initializer.push(tensor(`conv${i}.weight`, [layer.outChannels, layer.inChannels, 3, 3], layer.weight));
    initializer.push(tensor(`conv${i}.bias`, [layer.outChannels], layer.bias));
    node('Conv', [current, `conv${i}.weight`, `conv${i}.bias`], `conv${i}`, [
      ints('kernel_shape', [3, 3]),
      ints('pads', [1, 1, 1, 1]),
    ]);
    node('Relu', [current], `relu${i}`);
    if (layer.pool) node('MaxPool', [current], `pool${i}`, [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
  });
  const features = weights.convs.at(-1)?.outChannels ?? 0;
  initializer.push(tensor('dense.weight', [weights.classes, features], weights.denseWeight));
  initializer.push(tensor('dense.bias', [weights.classes], weights.denseBias));
  node('GlobalAveragePool', [current], 'gap');
  node('Flatten', [current], 'features', [int('axis', 1)]);
  node('Gemm', [current, 'dense.weight', 'dense.bias'], 'logits', [int('transB', 1)]);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'lambench',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'lambench-cnn',
      node: nodes,
      initializer,
      input: [valueInfo('image', ['N', 3, 'H', 'W'])],
      output: [valueInfo('logits', ['N', weights.classes])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export const modelForSeed = (seed: number): Uint8Array => encodeModel(cnnWeights(seed));
