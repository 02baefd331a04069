// faceapi_reference runs face-api's own FaceRecognitionNet (the dlib
// ResNet) in TensorFlow.js's pure-JavaScript cpu backend and writes its
// descriptors: the reference that faceapi_onnx.py's model must reproduce.
//
//	node models/convert/faceapi_reference.mjs --face-api DIR/package \
//	    --input in.npy --output out.npy [--npm models/.work/npm]
//
// The input is a float32 .npy [N, 3, 150, 150], NCHW, as edge's converted
// model takes it (pixel/255, R G B); its values must be whole pixel levels
// k/255, which are turned back into the levels 0..255 that face-api takes
// (a [N, 150, 150, 3] tensor, so that face-api neither pads nor resizes).
// The output is float32 [N, 128]: computeFaceDescriptor's values as they
// are (face-api does not normalise them).
//
// face-api's node build (dist/face-api.node.js) requires
// @tensorflow/tfjs-node, a native addon; here that name is resolved to the
// pure-JavaScript @tensorflow/tfjs under --npm, so nothing native runs and
// nothing is fetched. The weights are read from DIR/package/model.

import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function fail(msg) {
  process.stderr.write(`faceapi_reference: ${msg}\n`);
  process.exit(1);
}

// readNpy reads a version 1.0 '<f4' C-order .npy file.
function readNpy(file) {
  const b = readFileSync(file);
  if (b.length < 10 || b.toString('latin1', 0, 6) !== '\x93NUMPY' || b[6] !== 1) fail(`${file}: not a version 1 .npy file`);
  const hlen = b.readUInt16LE(8);
  const hdr = b.toString('latin1', 10, 10 + hlen);
  if (!/'descr':\s*'<f4'/.test(hdr) || !/'fortran_order':\s*False/.test(hdr)) fail(`${file}: want '<f4' in C order: ${hdr}`);
  const m = /'shape':\s*\(([^)]*)\)/.exec(hdr);
  if (!m) fail(`${file}: no shape in ${hdr}`);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const n = shape.reduce((a, d) => a * d, 1);
  const off = 10 + hlen;
  if (b.length !== off + 4 * n) fail(`${file}: ${b.length - off} data bytes for shape [${shape}]`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(off + 4 * i);
  return { shape, data };
}

// writeNpy writes a '<f4' C-order .npy (numpy's header layout).
function writeNpy(file, shape, data) {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const b = Buffer.alloc(10 + dict.length + 4 * data.length);
  b.write('\x93NUMPY', 0, 'latin1');
  b[6] = 1;
  b[7] = 0;
  b.writeUInt16LE(dict.length, 8);
  b.write(dict, 10, 'latin1');
  for (let i = 0; i < data.length; i++) b.writeFloatLE(data[i], 10 + dict.length + 4 * i);
  const tmp = `${file}.tmp${process.pid}`;
  writeFileSync(tmp, b);
  renameSync(tmp, file);
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      'face-api': { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      npm: { type: 'string', default: path.join(here, '..', '.work', 'npm') },
    },
    strict: true,
  });
  if (!a['face-api'] || !a.input || !a.output) fail('usage: --face-api DIR --input in.npy --output out.npy [--npm PREFIX]');
  const pkg = path.resolve(a['face-api']);

  const req = createRequire(path.join(path.resolve(a.npm), 'package.json'));
  const tfjs = req.resolve('@tensorflow/tfjs');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolve.call(this, request === '@tensorflow/tfjs-node' ? tfjs : request, ...rest);
  };
  const faceapi = createRequire(path.join(pkg, 'package.json'))('./dist/face-api.node.js');
  const { tf } = faceapi;
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') fail(`backend ${tf.getBackend()}, want cpu`);

  const net = new faceapi.FaceRecognitionNet();
  await net.loadFromDisk(path.join(pkg, 'model'));

  const x = readNpy(a.input);
  const [n, c, h, w] = x.shape;
  if (x.shape.length !== 4 || c !== 3 || h !== 150 || w !== 150) fail(`${a.input}: shape [${x.shape}], want [N, 3, 150, 150]`);
  const levels = new Float32Array(x.data.length);
  for (let i = 0; i < levels.length; i++) {
    const v = Math.round(x.data[i] * 255);
    if (Math.abs(v - x.data[i] * 255) > 1e-3 || v < 0 || v > 255) fail(`${a.input}: value ${x.data[i]} is not a pixel level k/255`);
    levels[i] = v;
  }
  const out = new Float32Array(n * 128);
  for (let r = 0; r < n; r++) {
    const img = tf.tidy(() => tf.tensor4d(levels.subarray(r * 3 * h * w, (r + 1) * 3 * h * w), [1, c, h, w]).transpose([0, 2, 3, 1]));
    const d = await net.computeFaceDescriptor(img);
    img.dispose();
    if (d.length !== 128) fail(`descriptor of ${d.length} values`);
    out.set(d, r * 128);
  }
  writeNpy(a.output, [n, 128], out);
  process.stderr.write(`faceapi_reference: face-api ${faceapi.version}, TensorFlow.js ${tf.version.tfjs} (${tf.getBackend()}), [${n}, 128] -> ${a.output}\n`);
}

main().catch((e) => fail(e.stack || String(e)));
