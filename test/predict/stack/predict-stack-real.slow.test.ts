import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliPath, sharedPath } from '../../helpers/shared-data.js';

const work = mkdtempSync(join(tmpdir(), 'autocm-stack-real-'));
after(() => rmSync(work, { recursive: true, force: true }));

function autocm(...args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

function cloud(predictions: string, references: string) {
  return JSON.parse(autocm('evaluate', predictions, '--ref', references, '--json', '--quiet')).pooled.cloud.strict as { f1: number; precision: number; recall: number };
}

// Floors just below what the shipped rule (models/stack-rule.json) and default model v2 measure. On
// CBERS the stack must not fall below the single image (0.692); on Slovenia it must beat the
// multi-date temporal-mad baseline: 0.972 in docs/baselines.md (0.971 by `autocm baseline temporal-mad` on the same 5
// dates now; deterministic, not rerun here to keep the test's time; issue 11).
const TEMPORAL_MAD_SLOVENIA = 0.972;
const cases = [
  { name: 'sits-cbers4-awfi-16d', images: (d: string) => [d, '--sensor', join(d, 'sensor.json')], floor: { single: 0.68, stack: 0.692 }, beatTemporalMad: false },
  { name: 'eolearn-s2-slovenia-ts', images: (d: string) => ['20150711', '20150731', '20150820', '20150830', '20150909'].map((s) => join(d, `img_${s}.tif`)), floor: { single: 0.9, stack: TEMPORAL_MAD_SLOVENIA }, beatTemporalMad: true },
];

for (const c of cases) {
  test(`predict --stack with the default model on ${c.name}: pooled cloud F1 against the set's reference`, (t) => {
    const folder = sharedPath(t, 'data', c.name);
    if (!folder) return;
    const single = join(work, `${c.name}-single`);
    const stacked = join(work, `${c.name}-stack`);
    autocm('predict', ...c.images(folder), '-o', single, '--quiet');
    autocm('predict', '--stack', ...c.images(folder), '-o', stacked, '--quiet');
    const [a, b] = [cloud(single, join(folder, 'masks')), cloud(stacked, join(folder, 'masks'))];
    console.log(`${c.name}: single F1 ${a.f1.toFixed(3)} (P ${a.precision.toFixed(3)} R ${a.recall.toFixed(3)}), --stack F1 ${b.f1.toFixed(3)} (P ${b.precision.toFixed(3)} R ${b.recall.toFixed(3)})`);
    assert.ok(a.f1 >= c.floor.single, `single ${a.f1}`);
    assert.ok(b.f1 >= c.floor.stack, `stack ${b.f1}`);
    if (c.beatTemporalMad) assert.ok(b.f1 > TEMPORAL_MAD_SLOVENIA, `--stack ${b.f1} does not beat temporal-mad ${TEMPORAL_MAD_SLOVENIA}`);
  });
}
