import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { writeCog } from '../../src/raster/cog-writer.js';
import { writeFileAtomically } from '../../src/util/atomic.js';
import { AutocmError } from '../../src/util/errors.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-disk-full-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tmpfs of `size` at a new folder, or null after marking the test skipped where mounting is not permitted. */
function tinyDisk(t: TestContext, name: string, size: string): string | null {
  const mountPoint = join(dir, name);
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`cannot mount a tmpfs (needs root): ${(mounted.stderr || mounted.error?.message || '').trim()}`);
    return null;
  }
  t.after(() => {
    spawnSync('umount', [mountPoint]);
  });
  return mountPoint;
}

/** One 512 x 512 synthetic image (made once), as in the issue. */
let stack: string | undefined;
function syntheticStack(): string {
  stack ??= join(dir, 'stack');
  if (!readdirSync(dir).includes('stack')) synthStack(stack, 512, 1);
  return stack;
}

const isDiskFull = (error: unknown) => error instanceof AutocmError && /cannot write: disk full.*ENOSPC/.test(error.message);

test('writeFileAtomically on a full disk: AutocmError "disk full" naming the file, no temporary left', async (t) => {
  const disk = tinyDisk(t, 'atomic', '64k');
  if (!disk) return;
  const path = join(disk, 'model.safetensors');
  await assert.rejects(writeFileAtomically(path, new Uint8Array(256 * 1024).fill(7)), (error: unknown) => isDiskFull(error) && (error as AutocmError).file === path);
  assert.deepEqual(readdirSync(disk), []);
});

test('a COG that does not fit: AutocmError "disk full", no cut file and no temporary left', async (t) => {
  // Random float32 does not compress: the tile spool (1 MiB) fits, the assembled file beside it does not.
  const disk = tinyDisk(t, 'cog', '1536k');
  if (!disk) return;
  const band = Float32Array.from({ length: 512 * 512 }, () => Math.random());
  const path = join(disk, 'noise.tif');
  const options = { width: 512, height: 512, bandCount: 1, sampleType: 'float32' as const, georeference: { geoTransform: null, epsg: null, geoKeys: null } };
  await assert.rejects(writeCog(path, options, [band]), isDiskFull);
  assert.deepEqual(readdirSync(disk), []);
});

test('synth onto a disk that fills after a few dates: "disk full", and the dates already written are removed', async (t) => {
  // About 1 MiB per 256 px date: dates 1-3 fit, the fourth does not.
  const disk = tinyDisk(t, 'synth', '4m');
  if (!disk) return;
  const created = autocm(['synth', '-o', join(disk, 'stack'), '--size', '256', '--dates', '8']);
  assert.equal(created.status, 1);
  assert.match(created.stderr, /generating and writing dates: 3\/8\n.*surface_20230322\.tif: cannot write: disk full.*ENOSPC/);
  assert.deepEqual(readdirSync(disk), [], 'the folder this run created is gone');
  mkdirSync(join(disk, 'mine'));
  const existing = autocm(['synth', '-o', join(disk, 'mine'), '--size', '256', '--dates', '8', '--quiet']);
  assert.equal(existing.status, 1);
  assert.deepEqual(readdirSync(join(disk, 'mine')).sort(), ['masks', 'surface']);
  assert.deepEqual([...readdirSync(join(disk, 'mine', 'masks')), ...readdirSync(join(disk, 'mine', 'surface'))], []);
});

test('predict onto a disk too small for its outputs exits non-zero with "disk full" and leaves nothing', async (t) => {
  const disk = tinyDisk(t, 'predict', '700k');
  if (!disk) return;
  const image = readdirSync(syntheticStack()).find((name) => name.startsWith('img_'))!;
  const run = autocm(['predict', join(syntheticStack(), image), '-o', disk, '--format', 'float32', '--model', defaultModelPath, '--quiet', '--threads', '1']);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^autocm: error: .*_cloud(prob|mask)\.tif: cannot write: disk full, no space left on device \(ENOSPC\)\n$/);
  assert.deepEqual(readdirSync(disk), [], 'no output, no temporary file');
});

test('composite onto a disk too small for it exits non-zero with "disk full" and leaves nothing', async (t) => {
  const disk = tinyDisk(t, 'composite', '400k');
  if (!disk) return;
  const run = autocm(['composite', syntheticStack(), '--masks', join(syntheticStack(), 'masks'), '-o', join(disk, 'composite.tif'), '-q']);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^autocm: error: .*composite\.tif: cannot write: disk full, no space left on device \(ENOSPC\)\n$/);
  assert.deepEqual(readdirSync(disk), [], 'no output, no temporary file');
});
