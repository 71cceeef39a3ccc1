import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { confinePath, PathEscapeError } from '../../src/queue/confine.js';

describe('confinePath', () => {
  let base: string;
  let root: string;
  let outside: string;

  before(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'autocm-confine-')));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'scenes'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'scenes', 'a.tif'), 'x');
    await writeFile(join(outside, 'secret.tif'), 'x');
    await symlink(join(outside, 'secret.tif'), join(root, 'scenes', 'escape.tif'));
    await symlink(outside, join(root, 'linked-dir'));
    await symlink(join(root, 'scenes', 'a.tif'), join(root, 'inner-link.tif'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test('accepts relative and absolute paths inside the root and returns the real path', async () => {
    assert.equal(await confinePath(root, 'scenes/a.tif', 'input'), join(root, 'scenes', 'a.tif'));
    assert.equal(await confinePath(root, join(root, 'scenes', 'a.tif'), 'input'), join(root, 'scenes', 'a.tif'));
    assert.equal(await confinePath(root, 'inner-link.tif', 'input'), join(root, 'scenes', 'a.tif'));
  });

  test('accepts an output path that does not exist yet', async () => {
    assert.equal(await confinePath(root, 'new/deeper/out', 'output folder'), join(root, 'new', 'deeper', 'out'));
  });

  test("rejects '..' even when it would stay inside", async () => {
    await assert.rejects(confinePath(root, 'scenes/../scenes/a.tif', 'input'), PathEscapeError);
    await assert.rejects(confinePath(root, '../outside/secret.tif', 'input'), /'\.\.' is not allowed/);
  });

  test('rejects absolute paths outside the root, including a sibling with the same prefix', async () => {
    await assert.rejects(confinePath(root, join(outside, 'secret.tif'), 'input'), /is outside/);
    await assert.rejects(confinePath(root, '/etc/passwd', 'input'), PathEscapeError);
    await mkdir(`${root}-sibling`, { recursive: true });
    await assert.rejects(confinePath(root, `${root}-sibling/x.tif`, 'input'), /is outside/);
  });

  test('rejects symbolic links that lead out of the root, for files and for folders on the way', async () => {
    await assert.rejects(confinePath(root, 'scenes/escape.tif', 'input'), /symbolic link/);
    await assert.rejects(confinePath(root, 'linked-dir/secret.tif', 'input'), /symbolic link/);
    await assert.rejects(confinePath(root, 'linked-dir/not-yet-written', 'output folder'), /symbolic link/);
  });

  test('rejects empty paths and NUL bytes', async () => {
    await assert.rejects(confinePath(root, '', 'input'), /empty path/);
    await assert.rejects(confinePath(root, 'scenes/a.tif\0.png', 'input'), /NUL/);
  });
});
