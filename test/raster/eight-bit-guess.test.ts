import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeCog } from '../../src/raster/cog-writer.js';
import { eightBitScalingGuess } from '../../src/raster/eight-bit-guess.js';
import { resolveInputs } from '../../src/raster/inputs.js';
import { builtinSensor } from '../../src/raster/sensors.js';

test('8-bit data under a 16-bit reflectance profile is a stated guess; a profile made for 8-bit DN is not', () => {
  const planet = builtinSensor('planetscope4')!;
  const landsatDn = builtinSensor('landsat457-l1')!;
  assert.match(eightBitScalingGuess('uint8', planet, planet.bands)!, /^uint8 data scaled as planetscope4 \(x0\.0001\): DN 255 is only 0\.0255 reflectance, too dark for any cloud/);
  assert.match(eightBitScalingGuess('int8', planet, planet.bands)!, /^int8 data scaled as planetscope4 \(x0\.0001\)/);
  assert.equal(eightBitScalingGuess('uint8', landsatDn, landsatDn.bands), null, 'DN / 255 reaches reflectance 1');
  assert.equal(eightBitScalingGuess('uint16', planet, planet.bands), null);
});

test('a uint8 GeoTIFF read as --sensor planetscope4 carries the guess that predict and train print', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-eight-bit-'));
  try {
    const path = join(dir, 'img_20230301.tif');
    const band = new Uint8Array(16 * 16).fill(200);
    const georeference = { geoTransform: [500000, 10, 0, 5000000, 0, -10] as [number, number, number, number, number, number], epsg: 32633, geoKeys: null };
    await writeCog(path, { width: 16, height: 16, bandCount: 4, sampleType: 'uint8', georeference }, [band, band, band, band]);
    const [image] = await resolveInputs([path], { sensor: 'planetscope4' });
    assert.match(image!.scalingGuess ?? '', /uint8 data scaled as planetscope4 .*too dark for any cloud/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
