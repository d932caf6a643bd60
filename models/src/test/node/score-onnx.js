// Scores an ONNX model with onnxruntime-node (a runtime outside the JVM) for OnnxExportTest:
//   node score-onnx.js MODEL.onnx INPUT_NAME uint8|int64 DIM,DIM,... INPUT.bin
// INPUT.bin holds the tensor's little-endian values; prints the first output as JSON rows.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main([model, name, type, dims, file]) {
  const session = await ort.InferenceSession.create(model);
  const bytes = fs.readFileSync(file);
  const shape = dims.split(',').map(Number);
  const data = type === 'uint8'
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
    : new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = await session.run({ [name]: new ort.Tensor(type, data, shape) });
  const result = out[session.outputNames[0]];
  const [rows, cols] = result.dims;
  const probabilities = [];
  for (let i = 0; i < rows; i++) {
    probabilities.push(Array.from(result.data.slice(i * cols, (i + 1) * cols)));
  }
  console.log(JSON.stringify({ output: session.outputNames[0], probabilities }));
}

main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
