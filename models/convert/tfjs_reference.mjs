// tfjs_reference runs a TensorFlow.js graph model in TensorFlow.js itself
// (the pure-JavaScript cpu backend) and writes the L2-normalised value of
// one node: the reference output that a model converted by tfjs_onnx.py
// must reproduce (models/models_test.go, checkParity).
//
//	node models/convert/tfjs_reference.mjs --model DIR/faceres.json \
//	    --input in.npy --output out.npy [--node global_pooling/Mean] [--npm models/.work/npm]
//
// The input is a float32 .npy in NCHW order, [N, C, H, W], as edge's
// converted model takes it; it is transposed to the graph's NHWC. The
// output is float32 [N, D]: each row of the node's value divided by its
// Euclidean length, the sum of squares and the division done in float64
// and the quotient rounded to float32 once. The model is read from files
// (model.json and the weight shards named in its manifest, from the same
// folder) through tf.io.fromMemory, so nothing is fetched. @tensorflow/tfjs
// is loaded from the npm prefix given by --npm (make faces-reference
// installs the pinned version there).
//
// The .npy reader and writer handle only what is needed here: version 1.0,
// '<f4', C order. The header written is byte for byte numpy's np.save's
// (and edge's npy.Write's), so that regenerating gives the same file.

import { readFileSync, realpathSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function fail(msg) {
  process.stderr.write(`tfjs_reference: ${msg}\n`);
  process.exit(1);
}

const MAGIC = Buffer.from('\x93NUMPY', 'latin1');

// readNpy returns {shape, data: Float32Array} of a version 1.0 '<f4'
// C-order .npy file.
export function readNpy(file) {
  const b = readFileSync(file);
  if (b.length < 10 || !b.subarray(0, 6).equals(MAGIC)) fail(`${file}: not a .npy file`);
  if (b[6] !== 1 || b[7] !== 0) fail(`${file}: .npy version ${b[6]}.${b[7]}, want 1.0`);
  const hlen = b.readUInt16LE(8);
  if (10 + hlen > b.length) fail(`${file}: truncated header`);
  const hdr = b.toString('latin1', 10, 10 + hlen);
  const descr = /'descr':\s*'([^']*)'/.exec(hdr);
  const order = /'fortran_order':\s*(True|False)/.exec(hdr);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(hdr);
  if (!descr || !order || !shape) fail(`${file}: cannot parse header ${JSON.stringify(hdr)}`);
  if (descr[1] !== '<f4') fail(`${file}: dtype ${descr[1]}, want <f4`);
  if (order[1] !== 'False') fail(`${file}: Fortran order is not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+$/.test(s)) fail(`${file}: bad dimension ${JSON.stringify(s)}`);
    return Number(s);
  });
  const n = dims.reduce((a, d) => a * d, 1);
  const off = 10 + hlen;
  if (b.length !== off + 4 * n) fail(`${file}: ${b.length - off} data bytes, shape [${dims}] needs ${4 * n}`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(off + 4 * i);
  return { shape: dims, data };
}

// npyHeader is numpy's version 1.0 header for a '<f4' C-order array:
// the dict, room for the first dimension to grow to 21 digits, spaces to
// a multiple of 64 bytes in all, and '\n'.
function npyHeader(shape) {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const used = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (used % 64)) % 64) + '\n';
  const h = Buffer.alloc(10 + dict.length);
  MAGIC.copy(h, 0);
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(dict.length, 8);
  h.write(dict, 10, 'latin1');
  return h;
}

// writeNpy writes data (a Float32Array) with shape to file, through a
// temporary file renamed over it.
export function writeNpy(file, shape, data) {
  const h = npyHeader(shape);
  const b = Buffer.alloc(h.length + 4 * data.length);
  h.copy(b, 0);
  for (let i = 0; i < data.length; i++) b.writeFloatLE(data[i], h.length + 4 * i);
  const tmp = `${file}.tmp${process.pid}`;
  writeFileSync(tmp, b);
  renameSync(tmp, file);
}

// loadArtifacts reads a TFJS graph model.json and its weight shards into
// the ModelArtifacts that tf.io.fromMemory takes.
export function loadArtifacts(modelJSON) {
  const dir = path.dirname(modelJSON);
  const json = JSON.parse(readFileSync(modelJSON, 'utf8'));
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) fail(`${modelJSON}: not a TFJS graph model`);
  const specs = [];
  const shards = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      if (path.basename(p) !== p) fail(`${modelJSON}: weight shard ${p} leaves the model folder`);
      shards.push(readFileSync(path.join(dir, p)));
    }
    specs.push(...group.weights);
  }
  // The groups' shards, concatenated in manifest order, hold the weights
  // in the order of the concatenated specs.
  const all = Buffer.concat(shards);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      node: { type: 'string', default: 'global_pooling/Mean' },
      npm: { type: 'string', default: path.join(here, '..', '.work', 'npm') },
    },
    strict: true,
  });
  if (!a.model || !a.input || !a.output) fail('usage: --model MODEL.json --input in.npy --output out.npy [--node NAME] [--npm PREFIX]');

  // The npm prefix is outside this file's node_modules search path.
  const require = createRequire(path.join(path.resolve(a.npm), 'package.json'));
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') fail(`backend ${tf.getBackend()}, want cpu`);

  const model = await tf.loadGraphModel(tf.io.fromMemory(loadArtifacts(a.model)));
  const inputs = model.inputs;
  if (inputs.length !== 1) fail(`${a.model}: ${inputs.length} inputs, want 1`);
  const want = inputs[0].shape; // NHWC, batch -1

  const x = readNpy(a.input);
  if (x.shape.length !== 4) fail(`${a.input}: shape [${x.shape}], want [N, C, H, W]`);
  const [n, c, h, w] = x.shape;
  if (want && (want.length !== 4 || want[1] !== h || want[2] !== w || want[3] !== c)) {
    fail(`${a.input}: shape [${x.shape}] does not fit the model's NHWC input [${want}]`);
  }

  const y = tf.tidy(() => {
    const nhwc = tf.tensor4d(x.data, [n, c, h, w], 'float32').transpose([0, 2, 3, 1]);
    return model.execute({ [inputs[0].name]: nhwc }, a.node);
  });
  if (y.dtype !== 'float32' || y.shape.length !== 2 || y.shape[0] !== n) {
    fail(`node ${a.node}: ${y.dtype} [${y.shape}], want float32 [${n}, D]`);
  }
  const d = y.shape[1];
  const v = y.dataSync();
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = r * d; i < (r + 1) * d; i++) s += v[i] * v[i];
    const len = Math.sqrt(s);
    if (!(len > 0) || !Number.isFinite(len)) fail(`row ${r} of ${a.node} has length ${len}`);
    for (let i = r * d; i < (r + 1) * d; i++) out[i] = v[i] / len;
  }
  writeNpy(a.output, [n, d], out);
  process.stderr.write(`tfjs_reference: TensorFlow.js ${tf.version.tfjs} (${tf.getBackend()}), ${a.node} [${y.shape}] -> ${a.output}\n`);
}

// Run as a program, not when imported (antispoof_reference.mjs takes the
// .npy and model readers from here).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => fail(e.stack || String(e)));
}
