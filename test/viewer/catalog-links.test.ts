import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeCog } from '../../src/raster/cog-writer.js';
import { buildCatalog } from '../../src/viewer/catalog.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-view-links-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('view skips symbolic links that leave its inputs or lead nowhere, with a warning, and follows those inside', async () => {
  const served = join(dir, 'served');
  const outside = join(dir, 'outside');
  await mkdir(join(served, 'sub'), { recursive: true });
  await mkdir(outside);
  const georeference = { geoTransform: [0, 1, 0, 64, 0, -1] as [number, number, number, number, number, number], epsg: 32633, geoKeys: null };
  const band = () => new Uint16Array(64 * 64).map((_, i) => i);
  await writeCog(join(outside, 'secret_composite.tif'), { width: 64, height: 64, bandCount: 3, sampleType: 'uint16', georeference }, [band(), band(), band()]);
  await writeFile(join(served, 'sub', 'index.html'), '<h1>report</h1>');
  await symlink(outside, join(served, 'x'));
  await symlink('/etc', join(served, 'etc'));
  await symlink(join(dir, 'nothing-here'), join(served, 'dangling'));
  await symlink(join(served, 'sub'), join(served, 'again'));
  const { files, reportRoots, warnings } = await buildCatalog([served]);
  assert.deepEqual(files, []);
  assert.deepEqual(reportRoots.sort(), [join(served, 'again'), join(served, 'sub')]);
  assert.deepEqual(warnings, [
    `${join(served, 'dangling')}: skipped, a symbolic link to nothing`,
    `${join(served, 'etc')}: skipped, a symbolic link to /etc outside the given inputs`,
    `${join(served, 'x')}: skipped, a symbolic link to ${outside} outside the given inputs`,
  ]);
});
