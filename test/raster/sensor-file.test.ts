import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveInputs } from '../../src/raster/inputs.js';
import { sharedPath } from '../helpers/shared-data.js';

test('a sensor.json beside the images is their profile when no sensor is named; a named sensor wins', async (t) => {
  const cbers = sharedPath(t, 'data', 'sits-cbers4-awfi-16d');
  if (!cbers) return;
  const images = await resolveInputs([cbers]);
  assert.equal(images.length, 24);
  assert.ok(images.every((image) => image.sensor.id === 'cbers4-awfi-sr'));
  assert.deepEqual(images[0]!.bandNames, ['blue', 'green', 'red', 'nir']);
  const named = await resolveInputs([join(cbers, 'img_20170829.tif')], { sensor: 'planetscope4' });
  assert.equal(named[0]!.sensor.id, 'planetscope4');
});
