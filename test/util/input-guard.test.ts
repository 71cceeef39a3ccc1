import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputGuard, refuseOverwritingInputs } from '../../src/util/input-guard.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-guard-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an output that is an input, by path, through a symlink, a hard link or a folder input, is refused naming both', () =>
  withDir(async (dir) => {
    await mkdir(join(dir, 'stack'));
    const image = join(dir, 'stack', 'img_1.tif');
    await writeFile(image, 'x');
    await symlink(image, join(dir, 'alias.tif'));
    await link(image, join(dir, 'hard.tif'));
    await refuseOverwritingInputs([join(dir, 'out.tif'), join(dir, 'stack', 'new.tif')], [join(dir, 'stack')]);
    await assert.rejects(refuseOverwritingInputs([image], [image]), /img_1\.tif: is an input of this run \(.*img_1\.tif\): refusing to overwrite it/);
    await assert.rejects(refuseOverwritingInputs([join(dir, 'stack', '..', 'stack', 'img_1.tif')], [join(dir, 'stack')]), /is an input of this run/);
    await assert.rejects(refuseOverwritingInputs([join(dir, 'alias.tif')], [image]), /alias\.tif: is an input of this run/);
    await assert.rejects(refuseOverwritingInputs([image], [join(dir, 'alias.tif')]), /is an input of this run/);
    await assert.rejects(refuseOverwritingInputs([join(dir, 'hard.tif')], [image]), /hard\.tif: is an input of this run/);
    await refuseOverwritingInputs([image], ['https://example.com/img_1.tif', join(dir, 'missing.tif'), undefined]);
  }));

test('two outputs that are one file are refused', () =>
  withDir(async (dir) => {
    await symlink(dir, join(dir, 'same'));
    await assert.rejects(refuseOverwritingInputs([join(dir, 'a.tif'), join(dir, 'same', 'a.tif')], []), /same\/a\.tif: is the same file as the output .*a\.tif/);
  }));

test('checkFolder refuses an input inside an output folder the run fills', () =>
  withDir(async (dir) => {
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'ground.tif'), 'x');
    await writeFile(join(dir, 'ground.tif'), 'x');
    await (await InputGuard.of([join(dir, 'ground.tif')])).checkFolder(join(dir, 'out'));
    await assert.rejects((await InputGuard.of([join(dir, 'out', 'ground.tif')])).checkFolder(join(dir, 'out')), /ground\.tif: is inside the output folder/);
  }));
