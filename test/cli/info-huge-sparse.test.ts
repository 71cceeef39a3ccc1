import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import type { ImageReport } from '../../src/cli/info.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { cliPath } from '../helpers/shared-data.js';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'autocm-huge-sparse-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

test('info on a sparse 200000 x 200000 tiled BigTIFF samples a bounded number of pixels and finishes', async (t) => {
  if (!requireGdal(t)) return;
  const file = join(workDir, 'huge.tif');
  // No tile is written (offset 0, byte count 0): every tile must read as 0 without error.
  gdal('gdal_create', ['-q', '-of', 'GTiff', '-outsize', '200000', '200000', '-bands', '4', '-ot', 'UInt16', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=1024', '-co', 'BLOCKYSIZE=1024', '-co', 'SPARSE_OK=TRUE', '-co', 'BIGTIFF=YES', file]);
  // A generous kill timeout: a full scan of the 40 G pixels would never finish inside it.
  const { stdout } = await run(process.execPath, [cliPath, 'info', '--json', '--quiet', file], { timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 });
  const report = (JSON.parse(stdout) as { images: ImageReport[] }).images[0]!;
  assert.deepEqual([report.width, report.height, report.bandCount], [200000, 200000, 4]);
  assert.ok(report.statisticsWindows > 0 && report.statisticsWindows <= 64, `windows: ${report.statisticsWindows}`);
  assert.ok(report.statisticsPixels > 0 && report.statisticsPixels <= 16_000_000, `pixels: ${report.statisticsPixels}`);
  assert.match(report.statisticsFrom, /sampled: \d+ windows, \d+ pixels/);
  assert.deepEqual(report.bands.map((b) => [b.min, b.max]), [[0, 0], [0, 0], [0, 0], [0, 0]]);
});
