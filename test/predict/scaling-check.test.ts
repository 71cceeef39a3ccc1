import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { openRaster } from '../../src/raster/open.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';
import { requireGdal } from '../helpers/gdal.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-scaling-'));
  synthStack(join(dir, 'stack'), 64, 1);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a scene stored x10 (uint16) is predicted with a warning that its reflectance is implausible; the original is not', async (t) => {
  if (!requireGdal(t)) return;
  const original = join(dir, 'stack', 'img_20230301.tif');
  const scaled = join(dir, 'img_20230301_x10.tif');
  // x10 in uint16, band descriptions kept: GDAL through Python (the tool is a test oracle here).
  execFileSync('/usr/bin/python3', ['-c', `
from osgeo import gdal
import numpy as np
src = gdal.Open(${JSON.stringify(original)})
dst = gdal.GetDriverByName('GTiff').CreateCopy(${JSON.stringify(scaled)}, src)
for b in range(1, src.RasterCount + 1):
    a = src.GetRasterBand(b).ReadAsArray().astype(np.float64) * 10
    dst.GetRasterBand(b).WriteArray(np.minimum(a, 65534).astype(np.uint16))
dst = None
`], { env: { ...process.env, GDAL_PAM_ENABLED: 'NO' } });
  const warned = autocm(['predict', scaled, '--model', defaultModelPath, '-o', join(dir, 'out-x10'), '--quiet', '--threads', '1']);
  assert.equal(warned.status, 0, warned.stderr);
  assert.match(warned.stderr, /img_20230301_x10\.tif: after scaling \(reflectance: .*\) the median of band \w+ is \d\.\d\d, not a plausible reflectance \(<= 1\.2\): the image is probably stored with another scale/);
  const plain = autocm(['predict', original, '--model', defaultModelPath, '-o', join(dir, 'out'), '--quiet', '--threads', '1']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /plausible reflectance/);
});

test('--sensor landsat89-l2 on a 4-band PlanetScope image with band descriptions is refused, naming the sensor it is', async () => {
  const original = join(dir, 'stack', 'img_20230301.tif');
  const run = autocm(['predict', original, '--model', defaultModelPath, '-o', join(dir, 'out-l8'), '--sensor', 'landsat89-l2', '--quiet']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^autocm: error: .*img_20230301\.tif: not read as --sensor landsat89-l2: its metadata or name says planetscope4, and that sensor's reflectance scaling would be wrong for it\. Give the sensor the image comes from \(planetscope4\)/);
  // A 6-band JSON profile has no 4-band layout: refused too.
  const { writeFile } = await import('node:fs/promises');
  const profile = join(dir, 'six.json');
  const band = (name: string, common: string) => ({ name, common, scale: 0.0001, offset: 0, aliases: [] });
  await writeFile(profile, JSON.stringify({
    id: 'six', description: 'six bands', units: 'reflectance', nodata: 0, saturation: null, fileNamePatterns: [], metadataPatterns: [],
    bands: [band('B1', 'blue'), band('B2', 'green'), band('B3', 'red'), band('B4', 'nir'), band('B5', 'swir16'), band('B6', 'swir22')],
    modelBands: ['blue', 'green', 'red', 'nir'], layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B6']],
  }));
  const six = autocm(['predict', original, '--model', defaultModelPath, '-o', join(dir, 'out-six'), '--sensor', profile, '--quiet']);
  assert.equal(six.status, 1, six.stderr);
  assert.match(six.stderr, /not read as --sensor six: --sensor six has 6 bands, this image 4 \(blue, green, red, nir\)/);
});

test('an unknown Sentinel-2 processing baseline is said in predict output and recorded in the outputs\' metadata', async (t) => {
  if (!requireGdal(t)) return;
  const stack = join(dir, 's2');
  const run = autocm(['synth', '-o', stack, '--size', '64', '--dates', '1', '--sensor', 'sentinel2-l1c', '--quiet']);
  assert.equal(run.status, 0, run.stderr);
  const image = join(dir, 'nobaseline.tif');
  execFileSync('/usr/bin/python3', ['-c', `
from osgeo import gdal
src = gdal.Open(${JSON.stringify(join(stack, 'img_20230301.tif'))})
dst = gdal.GetDriverByName('GTiff').CreateCopy(${JSON.stringify(image)}, src)
md = dst.GetMetadata(); md.pop('PROCESSING_BASELINE', None); dst.SetMetadata(md)
dst = None
`], { env: { ...process.env, GDAL_PAM_ENABLED: 'NO' } });
  const predicted = autocm(['predict', image, '--model', defaultModelPath, '-o', join(dir, 'out-s2'), '--quiet', '--threads', '1']);
  assert.equal(predicted.status, 0, predicted.stderr);
  assert.match(predicted.stderr, /nobaseline\.tif: Sentinel-2 processing baseline unknown: assumed before 04\.00 \(reflectance = DN \/ 10000\); products of baseline 04\.00 and later .* 0\.1 too bright/);
  const output = await openRaster(join(dir, 'out-s2', 'nobaseline_cloudmask.tif'));
  try {
    assert.match(output.info.metadata.AUTOCM_RADIOMETRY_GUESS ?? '', /^Sentinel-2 processing baseline unknown: assumed before 04\.00/);
  } finally {
    await output.close();
  }
  // With the baseline known (synth writes PROCESSING_BASELINE 03.01) nothing is said.
  const known = autocm(['predict', join(stack, 'img_20230301.tif'), '--model', defaultModelPath, '-o', join(dir, 'out-s2-known'), '--quiet', '--threads', '1']);
  assert.equal(known.status, 0, known.stderr);
  assert.doesNotMatch(known.stderr, /baseline unknown/);
});
