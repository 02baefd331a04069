// antispoof_reference prepares face crops exactly as the human library
// (@vladmandic/human 3.x) does for its anti-spoofing and liveness networks,
// runs the original TFJS graph on them in TensorFlow.js itself (the
// pure-JavaScript cpu backend), and writes both: the inputs that
// liveness.Passive must reproduce from the same frames and boxes, and the
// outputs that the converted network must reproduce from those inputs
// (liveness/passive_test.go).
//
//	node models/convert/antispoof_reference.mjs --model DIR/antispoof.json \
//	    --frame face.npy --frame noise.npy --boxes boxes.npy \
//	    --inputs antispoof.in.npy --output antispoof.out.npy [--npm models/.work/npm]
//
// Each frame is a float32 .npy [H, W, C] of levels 0…255 (C = 1 is grey,
// copied to RGB; C = 3 is RGB); boxes is float32 [N, 4], row i the face box
// x0, y0, x1, y1 of frame i in pixels. For each, as human does
// (src/face/facemeshutil.ts, facemesh.ts and antispoof.ts):
//
//  1. enlargeBox(box, 1.4) and squarifyBox: the box grown 1.4 times about
//     its centre, then the square of its longer side about the same
//     centre, its corners rounded (Math.round);
//  2. cutAndResize: tf.image.cropAndResize of that square, given as
//     [y0/H, x0/W, y1/H, x1/W], to 192×192 (the face mesh's input size),
//     bilinear, 0 outside the frame; divided by 255;
//  3. tf.image.resizeBilinear to the network's input size (128×128 for
//     antispoof, 32×32 for liveness), alignCorners false.
//
// The inputs are written NCHW float32 [N, 3, S, S], as edge's converted
// network takes them; the outputs float32 [N, D] as the graph computes
// them (no normalisation).
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import { fail, loadArtifacts, readNpy, writeNpy } from './tfjs_reference.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// human's defaults: config.face.detector.scale and the face mesh's input.
const ENLARGE = 1.4;
const CROP = 192;

// faceSquare is human's enlargeBox followed by squarifyBox, in its own
// arithmetic: [x0, y0, x1, y1].
function faceSquare([sx, sy, ex, ey]) {
  let size = [Math.abs(ex - sx), Math.abs(ey - sy)];
  let center = [sx + (ex - sx) / 2, sy + (ey - sy) / 2];
  const half = [ENLARGE * size[0] / 2, ENLARGE * size[1] / 2];
  [sx, sy, ex, ey] = [center[0] - half[0], center[1] - half[1], center[0] + half[0], center[1] + half[1]];
  size = [Math.abs(ex - sx), Math.abs(ey - sy)];
  center = [sx + (ex - sx) / 2, sy + (ey - sy) / 2];
  const h = Math.max(...size) / 2;
  return [Math.round(center[0] - h), Math.round(center[1] - h), Math.round(center[0] + h), Math.round(center[1] + h)];
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      model: { type: 'string' },
      frame: { type: 'string', multiple: true },
      boxes: { type: 'string' },
      inputs: { type: 'string' },
      output: { type: 'string' },
      npm: { type: 'string', default: path.join(here, '..', '.work', 'npm') },
    },
    strict: true,
  });
  if (!a.model || !a.frame || !a.boxes || !a.inputs || !a.output) {
    fail('usage: --model MODEL.json --frame F.npy [--frame …] --boxes boxes.npy --inputs in.npy --output out.npy [--npm PREFIX]');
  }
  const require = createRequire(path.join(path.resolve(a.npm), 'package.json'));
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') fail(`backend ${tf.getBackend()}, want cpu`);

  const model = await tf.loadGraphModel(tf.io.fromMemory(loadArtifacts(a.model)));
  if (model.inputs.length !== 1) fail(`${a.model}: ${model.inputs.length} inputs, want 1`);
  const [, sh, sw, sc] = model.inputs[0].shape;
  if (sc !== 3 || !(sh > 0) || !(sw > 0)) fail(`${a.model}: input [${model.inputs[0].shape}], want [N, S, S, 3]`);

  const boxes = readNpy(a.boxes);
  if (boxes.shape.length !== 2 || boxes.shape[1] !== 4 || boxes.shape[0] !== a.frame.length) {
    fail(`${a.boxes}: shape [${boxes.shape}], want [${a.frame.length}, 4]`);
  }
  const n = a.frame.length;
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const f = readNpy(a.frame[i]);
    if (f.shape.length !== 3 || (f.shape[2] !== 1 && f.shape[2] !== 3)) fail(`${a.frame[i]}: shape [${f.shape}], want [H, W, 1|3]`);
    const [h, w] = f.shape;
    const [x0, y0, x1, y1] = faceSquare(Array.from(boxes.data.subarray(4 * i, 4 * i + 4)));
    inputs.push(tf.tidy(() => {
      let frame = tf.tensor4d(f.data, [1, ...f.shape], 'float32');
      if (f.shape[2] === 1) frame = tf.tile(frame, [1, 1, 1, 3]);
      const crop = tf.image.cropAndResize(frame, [[y0 / h, x0 / w, y1 / h, x1 / w]], [0], [CROP, CROP]);
      const norm = tf.div(crop, tf.scalar(255, 'float32'));
      return tf.image.resizeBilinear(norm, [sh, sw], false);
    }));
  }
  const x = tf.concat(inputs, 0);
  const y = model.execute(x);
  if (y.dtype !== 'float32' || y.shape.length !== 2 || y.shape[0] !== n) fail(`output ${y.dtype} [${y.shape}], want float32 [${n}, D]`);
  const nchw = x.transpose([0, 3, 1, 2]);
  writeNpy(a.inputs, nchw.shape, nchw.dataSync());
  writeNpy(a.output, y.shape, y.dataSync());
  process.stderr.write(`antispoof_reference: TensorFlow.js ${tf.version.tfjs} (${tf.getBackend()}), ${path.basename(a.model)}: ` +
    `[${nchw.shape}] -> ${a.inputs}, [${y.shape}] = ${Array.from(y.dataSync()).map((v) => v.toPrecision(6)).join(' ')} -> ${a.output}\n`);
}

main().catch((e) => fail(e.stack || String(e)));
