import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

const root = mkdtempSync(join(tmpdir(), 'autocm-baselines-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('baseline tmask on a short synthetic stack: too few clear dates for the harmonic model fall back per pixel, counted and reported', () => {
  const stack = join(root, 'stack');
  synthStack(stack, 64, 5);
  const run = autocm(['baseline', 'tmask', stack, '-o', join(root, 'tmask'), '--json']);
  assert.equal(run.status, 0, run.stderr);
  // 5 dates < 2 x 3 clear observations: no pixel gets the 3-term model.
  const line = /tmask: (\d+) pixels 5-term model, (\d+) 3-term, (\d+) fell back to the robust mean \(too few clear observations\), (\d+) with no clear observation \(screen only\)/.exec(run.stderr);
  assert.ok(line, run.stderr);
  const [five, three, fallback, screen] = line!.slice(1).map(Number) as [number, number, number, number];
  assert.deepEqual([five, three], [0, 0]);
  assert.equal(fallback + screen, 64 * 64);
  assert.ok(fallback > 0);
  const result = JSON.parse(run.stdout) as { outputs: { fitted: { pixels: Record<string, number> } }[] };
  assert.equal(result.outputs.length, 5);
  assert.deepEqual(result.outputs[0]!.fitted.pixels, { fiveTerm: 0, threeTerm: 0, fallback, screenOnly: screen });
});

test('baseline tmask refuses fewer than 3 dates with a one-line error and writes nothing', () => {
  const stack = join(root, 'two');
  synthStack(stack, 64, 2);
  const out = join(root, 'tmask-two');
  const run = autocm(['baseline', 'tmask', stack, '-o', out]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^autocm: error: .*: the tmask baseline needs a stack of at least 3 dates, got 2\n$/);
  assert.ok(!existsSync(join(out, 'img_20230301_cloudmask.tif')));
});
