import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { MAX_BUFFER } from '../../src/predict/class-dilation.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

test(`--buffer beyond ${MAX_BUFFER} px is refused at once instead of running for ever`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-buffer-'));
  try {
    synthStack(join(dir, 'stack'), 64, 1);
    const image = join(dir, 'stack', readdirSync(join(dir, 'stack')).find((name) => name.startsWith('img_'))!);
    const run = autocm(['predict', image, '-o', join(dir, 'out'), '--buffer', '1e9', '--model', defaultModelPath, '--quiet'], 20_000);
    assert.equal(run.status, 1, run.status === null ? 'still running after 20 s' : run.stderr);
    assert.equal(run.stderr, `autocm: error: --buffer must be a whole number of pixels from 0 to ${MAX_BUFFER} (got 1000000000)\n`);
    const atMost = autocm(['predict', image, '-o', join(dir, 'out'), '--buffer', String(MAX_BUFFER), '--model', defaultModelPath, '--quiet'], 60_000);
    assert.equal(atMost.status, 0, atMost.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
