import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { crsText } from '../../src/raster/crs-text.js';
import { openRaster } from '../../src/raster/open.js';
import { autocm } from '../helpers/autocm-cli.js';
import { sharedPath } from '../helpers/shared-data.js';

const ALBERS = 'user-defined Albers Equal Area (lat_1=-2, lat_2=-22, lat_0=-12, lon_0=-54, x_0=5000000, y_0=10000000, ellipsoid GRS80)';

test('a user-defined Albers CRS (the CBERS-4 data cube) is shown by info and kept by predict outputs', async (t) => {
  const image = sharedPath(t, 'data', 'sits-cbers4-awfi-16d', 'img_20170829.tif');
  if (!image) return;
  const info = autocm(['info', image, '--json']);
  assert.equal(info.status, 0, info.stderr);
  assert.equal(JSON.parse(info.stdout).images[0].crs, ALBERS);
  assert.match(autocm(['info', image]).stdout, new RegExp(`CRS {9}${ALBERS.replace(/[()]/g, '\\$&')}, pixel 63\\.99`));
  const dir = await mkdtemp(join(tmpdir(), 'autocm-user-crs-'));
  try {
    const run = autocm(['predict', image, '--model', defaultModelPath, '-o', dir, '--quiet', '--threads', '1']);
    assert.equal(run.status, 0, run.stderr);
    const [input, output] = [await openRaster(image), await openRaster(join(dir, 'img_20170829_cloudprob.tif'))];
    try {
      assert.deepEqual(output.info.geoKeys, input.info.geoKeys);
      assert.equal(crsText(output.info.epsg, output.info.geoKeys), ALBERS);
    } finally {
      await Promise.all([input.close(), output.close()]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(crsText(32633, null), 'EPSG:32633');
  assert.equal(crsText(null, null), null);
});
