import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/shared-data.js';

// The tests that read ../shared skip with a message when it is absent (a user's own clone) and
// fail under CI=true; AUTOCM_SHARED_DATA points them at a folder that does not exist.
const files = ['predict-cli', 'predict-real', 'predict-memory'].map((name) => join(repoRoot, 'dist', 'test', 'predict', `${name}.test.js`));

function runWithout(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, AUTOCM_SHARED_DATA: '/nonexistent-autocm-shared', CI: ci ? 'true' : '' };
  delete env.NODE_TEST_CONTEXT; // else the inner runner reports to this one, not to stdout
  return spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { encoding: 'utf8', env });
}

test('predict tests skip with a message when ../shared is absent, and fail under CI=true', () => {
  const skipped = runWithout(false);
  assert.equal(skipped.status, 0, skipped.stdout + skipped.stderr);
  assert.match(skipped.stdout, /ℹ skipped 10/);
  assert.match(skipped.stdout, /ℹ fail 0/);
  assert.match(skipped.stdout, /nonexistent-autocm-shared\/data\/.* not present: test skipped/);
  assert.doesNotMatch(skipped.stdout + skipped.stderr, /TypeError|ENOENT/);
  const ci = runWithout(true);
  assert.notEqual(ci.status, 0);
  assert.match(ci.stdout + ci.stderr, /CI=true but \/nonexistent-autocm-shared\/reference\/u_model_autocm\.index is missing/);
});
