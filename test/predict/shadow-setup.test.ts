import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shadowProbabilityWriterOptions, shadowSetup } from '../../src/predict/shadow-setup.js';
import type { CogWriteOptions } from '../../src/raster/types.js';

const cloudMask: CogWriteOptions = {
  width: 10,
  height: 5,
  bandCount: 1,
  sampleType: 'uint8',
  georeference: { geoTransform: [500000, 20, 0, 4000000, 0, -20], epsg: 32632, geoKeys: null },
  nodata: 255,
  bandDescriptions: ['cloud mask (0 clear, 1 cloud)'],
  metadata: { AUTOCM_MODEL: 'm.onnx' },
};

test('one setup for every shadow pass: the mask gets the shadow class and buffer, the pass the scaling, pixel size and usable sun', () => {
  const requested: number[][] = [];
  const { maskOptions, passOptions } = shadowSetup({
    bands: [{ index: 3, name: 'nir' }, { index: 0, name: 'red' }],
    maskOptions: cloudMask,
    reflectanceScaling: (bands) => {
      requested.push(bands);
      return bands.map((b) => ({ scale: 1e-4 * (b + 1), offset: -0.1 }));
    },
    nodata: 0,
    info: { geoTransform: [500000, 20, 0, 4000000, 0, -20] },
    sun: { azimuth: 150, elevation: 40 },
    cloudBuffer: 2,
    shadowBuffer: 3,
    probabilityFormat: 'float32',
    maskMetadata: { AUTOCM_SHADOW_REFERENCE: 'other dates of the stack' },
  });
  assert.deepEqual(requested, [[3, 0]]);
  assert.deepEqual(maskOptions.bandDescriptions, ['cloud mask (0 clear, 1 cloud, 2 shadow)']);
  assert.deepEqual(maskOptions.metadata, { AUTOCM_MODEL: 'm.onnx', AUTOCM_MASK_CLASSES: 'clear,cloud,shadow', AUTOCM_SHADOW_BUFFER: '3', AUTOCM_SHADOW_REFERENCE: 'other dates of the stack' });
  assert.equal(maskOptions.nodata, 255);
  assert.deepEqual(cloudMask.metadata, { AUTOCM_MODEL: 'm.onnx' }, 'the cloud mask options are not changed');
  assert.deepEqual(passOptions.scaling, [{ scale: 4e-4, offset: -0.1 }, { scale: 1e-4, offset: -0.1 }]);
  assert.equal(passOptions.pixelSize, 20);
  assert.deepEqual(passOptions.sun, { azimuth: 150, elevation: 40 });
  assert.equal(passOptions.cloudBuffer, 2);
  assert.equal(passOptions.shadowBuffer, 3);
  assert.equal(passOptions.nodata, 0);
  assert.equal(passOptions.probabilityFormat, 'float32');
});

test('an unusable sun is dropped (the direction is searched) and a geographic pixel size is converted to metres', () => {
  const { passOptions } = shadowSetup({
    bands: [{ index: 0, name: 'nir' }],
    maskOptions: cloudMask,
    reflectanceScaling: (bands) => bands.map(() => ({ scale: 1, offset: 0 })),
    nodata: null,
    info: { geoTransform: [10, 0.0001, 0, 50, 0, -0.0001] },
    sun: { azimuth: 150, elevation: -5 },
    cloudBuffer: 0,
    shadowBuffer: 0,
    probabilityFormat: 'uint8',
  });
  assert.equal(passOptions.sun, undefined);
  assert.ok(Math.abs(passOptions.pixelSize - 11.132) < 1e-9);
});

test('the shadow probability COG is described by its format', () => {
  assert.deepEqual(shadowProbabilityWriterOptions(cloudMask, 'uint8').bandDescriptions, ['cloud shadow probability (percent)']);
  assert.deepEqual(shadowProbabilityWriterOptions(cloudMask, 'float32').bandDescriptions, ['cloud shadow probability']);
});
