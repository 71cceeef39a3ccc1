import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMaskSession } from '../../src/engine/mask-session.js';
import { kerasCheckpointToModel } from '../../src/model/keras-import.js';
import { cropCentred, padCentredNchw, referenceStretch } from '../../src/model/reference-preprocess.js';
import { sharedPath } from '../helpers/shared-data.js';

/**
 * Golden vectors of the authors' network (../shared/reference/testvectors): raw uint16 ->
 * reference stretch and centred pad -> the released weights -> mask and brightness.
 */

interface Vectors {
  raw_shape_HWC: [number, number, number];
  padded_shape_HWC: [number, number, number];
  pad_offsets_top_left: [number, number];
  percentile_lo_hi: [number, number];
}

function readFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('the imported Keras checkpoint reproduces the golden mask (<= 4e-5) and brightness (<= 2.5e-6)', async (t) => {
  const dir = sharedPath(t, 'reference', 'testvectors');
  const index = sharedPath(t, 'reference', 'u_model_autocm.index');
  if (!dir || !index) return;
  const prefix = index.slice(0, -'.index'.length);
  const vectors = JSON.parse(readFileSync(join(dir, 'tv1.json'), 'utf8')) as Vectors;
  const [height, width, bands] = vectors.raw_shape_HWC;

  // Raw uint16 HWC -> band-sequential planes.
  const rawBytes = readFileSync(join(dir, 'tv1_raw_45x61x4.u16'));
  const raw = new Uint16Array(rawBytes.buffer.slice(rawBytes.byteOffset, rawBytes.byteOffset + rawBytes.length));
  const planes = Array.from({ length: bands }, (_, c) => Uint16Array.from({ length: height * width }, (_, i) => raw[i * bands + c]!));

  const stretch = referenceStretch(planes);
  assert.deepEqual([stretch.lo, stretch.hi], vectors.percentile_lo_hi);
  const padded = padCentredNchw(stretch.stretched, height, width);
  assert.deepEqual([padded.height, padded.width, bands], vectors.padded_shape_HWC);
  assert.deepEqual([padded.top, padded.left], vectors.pad_offsets_top_left);

  const goldenInput = readFloat32(join(dir, 'tv1_input_48x64x4.f32'));
  const goldenNchw = new Float32Array(goldenInput.length);
  for (let p = 0; p < padded.height * padded.width; p++) for (let c = 0; c < bands; c++) goldenNchw[c * padded.height * padded.width + p] = goldenInput[p * bands + c]!;
  const inputDifference = maxAbsDifference(padded.data, goldenNchw);
  assert.ok(inputDifference <= 1e-6, `input differs by ${inputDifference}`);

  const model = await kerasCheckpointToModel(prefix);
  for (const shapes of ['per-size', 'dynamic'] as const) {
    const session = await createMaskSession(model, { threads: 1, shapes });
    try {
      const { mask, brightness } = await session.run(padded.data, 1, padded.height, padded.width);
      const paddedMaskDifference = maxAbsDifference(mask, readFloat32(join(dir, 'tv1_mask_padded_48x64.f32')));
      const croppedMask = cropCentred(mask, padded, height, width);
      const maskDifference = maxAbsDifference(croppedMask, readFloat32(join(dir, 'tv1_mask_45x61.f32')));
      const brightnessDifference = maxAbsDifference(brightness, readFloat32(join(dir, 'tv1_brightness_4.f32')));
      t.diagnostic(`${shapes}: max |diff| input ${inputDifference.toExponential(2)}, padded mask ${paddedMaskDifference.toExponential(2)}, mask ${maskDifference.toExponential(2)}, brightness ${brightnessDifference.toExponential(2)}`);
      // Measured (2026-12-02, both shape modes): mask 4.11e-6, brightness 2.38e-7, float32 rounding of
      // a different summation order than TensorFlow's. About 10x that: a real change of the graph or the
      // import (a wrong bias, a transposed kernel) moves the mask by 1e-2 or more.
      assert.ok(paddedMaskDifference <= 4e-5, `padded mask differs by ${paddedMaskDifference}`);
      assert.ok(maskDifference <= 4e-5, `mask differs by ${maskDifference}`);
      assert.ok(brightnessDifference <= 2.5e-6, `brightness differs by ${brightnessDifference}`);
    } finally {
      await session.release();
    }
  }
});
