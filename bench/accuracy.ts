// Scores cloud-mask models on the labelled REAL sets of ../shared/data, side by side with the
// label-free baselines:
//   node dist/bench/accuracy.js MODEL[=LABEL]...  [--baselines]  [--json out.json]
// For each model and set: precision / recall / F1 at the model's own threshold, and the best F1
// any threshold reaches on that set (the ranking, independent of calibration).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_SETS, realSetAvailable } from '../src/evaluate/real-sets.js';
import { COMPARED_BASELINES, scoreBaselineOnSet, scoreModelOnSet, type SetScore } from '../src/evaluate/score-sets.js';

const fmt = (v: number | null) => (v === null ? '  -  ' : v.toFixed(3));

async function main() {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const models = args.filter((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));
  const sets = REAL_SETS.filter(realSetAvailable);
  if (sets.length === 0) throw new Error('no labelled real set found (../shared/data, or AUTOCM_SHARED_DATA)');
  const work = await mkdtemp(join(tmpdir(), 'autocm-accuracy-'));
  const rows: SetScore[] = [];
  const add = (r: SetScore) => {
    rows.push(r);
    console.log(`${r.method.padEnd(28)} ${r.set.padEnd(10)} thr ${r.threshold.toFixed(2)}  P ${fmt(r.precision)}  R ${fmt(r.recall)}  F1 ${fmt(r.f1)}  best F1 ${fmt(r.bestF1)} at ${r.bestThreshold ?? '-'}  (${r.seconds.toFixed(1)} s)`);
  };
  try {
    for (const spec of models) {
      const [model, label] = spec.split('=');
      for (const set of sets) add(await scoreModelOnSet(model!, label ?? model!, set, work));
    }
    if (args.includes('--baselines'))
      for (const baseline of COMPARED_BASELINES)
        for (const set of sets) if (!baseline.multiDate || set.series) add(await scoreBaselineOnSet(baseline.name, baseline.params, baseline.method, set, work));
    if (jsonPath) await writeFile(jsonPath, JSON.stringify(rows, null, 1));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
