import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliPath } from '../helpers/shared-data.js';

function autocm(args: string[]) {
  return spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
}

describe('autocm synth', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'autocm-synth-cli-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('writes the stack and prints a --json summary', async () => {
    const dir = join(root, 'stack');
    const run = autocm(['synth', '-o', dir, '--size', '64', '--dates', '3', '--sensor', 'sentinel2-l1c', '--seed', '2', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { dates: number; size: number[]; bands: string[]; crs: string; sensor: string };
    assert.equal(summary.dates, 3);
    assert.deepEqual(summary.size, [64, 64]);
    assert.equal(summary.bands.length, 13);
    assert.equal(summary.crs, 'EPSG:32633');
    assert.equal(summary.sensor, 'sentinel2-l1c');
    assert.deepEqual((await readdir(dir)).sort(), ['img_20230301.tif', 'img_20230308.tif', 'img_20230315.tif', 'manifest.json', 'masks', 'surface']);
  });

  test('shows progress on stderr; refuses a non-empty folder unless --force, which replaces the previous stack', async () => {
    const dir = join(root, 'twice');
    const first = autocm(['synth', '-o', dir, '--size', '64', '--dates', '3']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /synth: generating and writing dates: 1\/3\n(.*\n)*synth: generating and writing dates: 3\/3/);
    assert.match(first.stdout, /wrote 3 dates of 64 x 64 px \(planetscope4, blue, green, red, nir; EPSG:32633\)/);
    const refused = autocm(['synth', '-o', dir, '--size', '64', '--dates', '2', '--quiet']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /not empty.*--force/);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const forced = autocm(['synth', '-o', dir, '--size', '64', '--dates', '2', '--force', '--quiet']);
    assert.equal(forced.status, 0, forced.stderr);
    // The old third date is gone, the user's own file stays.
    assert.deepEqual((await readdir(dir)).sort(), ['img_20230301.tif', 'img_20230308.tif', 'manifest.json', 'masks', 'notes.txt', 'surface']);
    assert.equal((await readdir(join(dir, 'masks'))).length, 2);
  });

  test('--size not a multiple of 8 or below 64, and an unwritable folder, fail clearly and leave nothing', async () => {
    for (const size of ['100', '56']) {
      const dir = join(root, `bad-${size}`);
      const run = autocm(['synth', '-o', dir, '--size', size, '--dates', '2']);
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /--size must be a multiple of 8 and at least 64/);
      assert.equal(existsSync(dir), false);
    }
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const run = autocm(['synth', '-o', join(file, 'sub'), '--size', '64', '--dates', '2']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /a-file\/sub: cannot create the synthetic stack folder/);
    const unknown = autocm(['synth', '-o', join(root, 'x'), '--sensor', 'modis']);
    assert.match(unknown.stderr, /unknown sensor 'modis'/);
  });

  test('an impossible --start-date (2023-02-30) is refused, not rolled over to 03-02', async () => {
    for (const date of ['2023-02-30', '2023-13-01', '2022-02-29']) {
      const dir = join(root, `date-${date}`);
      const run = autocm(['synth', '-o', dir, '--size', '64', '--dates', '2', '--start-date', date]);
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, new RegExp(`--start-date must be a valid calendar date YYYY-MM-DD \\(1970-2100\\), got '${date}'`));
      assert.equal(existsSync(dir), false);
    }
    const leap = join(root, 'date-leap');
    const ok = autocm(['synth', '-o', leap, '--size', '64', '--dates', '1', '--start-date', '2024-02-29', '--json']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(await readdir(leap).then((names) => names.filter((n) => n.endsWith('.tif'))), ['img_20240229.tif']);
  });
});
