// Scores cloud-mask models on the labelled REAL sets of ../shared/data, side by side:
//   node dist/bench/accuracy.js MODEL[=LABEL]...  [--baselines]  [--json out.json]
// For each model and set: precision / recall / F1 at the model's own threshold, and the best F1
// any threshold reaches on that set (the ranking, independent of calibration).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineStackOf } from '../src/evaluate/baselines/baseline-input.js';
import { runBaseline, type BaselineName } from '../src/evaluate/baselines/registry.js';
import { evaluateAll } from '../src/evaluate/evaluate-all.js';
import { expandFolders } from '../src/evaluate/expand-folders.js';
import { loadModel } from '../src/model/weights.js';
import { predictImages } from '../src/predict/predict-images.js';
import { openStack } from '../src/raster/stack.js';
import { REAL_SETS, realSetAvailable, type RealSet } from '../src/evaluate/real-sets.js';

interface Row {
  method: string;
  set: string;
  threshold: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  bestF1: number | null;
  bestThreshold: number | null;
  /** F1 at thresholds 0, 0.01, ..., 1. */
  sweep: (number | null)[];
  seconds: number;
}

async function scoreProbabilities(method: string, set: RealSet, probabilities: string[], threshold: number, started: number): Promise<Row> {
  const evaluation = await evaluateAll(probabilities, await expandFolders([set.references]), { threshold });
  const strict = evaluation.pooled.cloud.strict;
  const best = evaluation.pooled.sweep?.best ?? null;
  return {
    method,
    set: set.name,
    threshold,
    precision: strict.precision,
    recall: strict.recall,
    f1: strict.f1,
    bestF1: best?.f1 ?? null,
    bestThreshold: best?.threshold ?? null,
    sweep: evaluation.pooled.sweep?.points.map((p) => p.f1) ?? [],
    seconds: (performance.now() - started) / 1000,
  };
}

async function scoreModel(model: string, label: string, set: RealSet, work: string): Promise<Row> {
  const started = performance.now();
  const out = await mkdtemp(join(work, 'm-'));
  const threshold = (await loadModel(model)).metadata.threshold ?? 0.5;
  const predicted = await predictImages(set.images, { model, outputDirectory: out, sensor: set.sensor, format: 'float32', quiet: true, readInWorker: false });
  return scoreProbabilities(label, set, predicted.images.map((i) => i.outputs.probability), threshold, started);
}

async function scoreBaseline(name: BaselineName, brightness: number | undefined, label: string, set: RealSet, work: string): Promise<Row> {
  const started = performance.now();
  const out = await mkdtemp(join(work, 'b-'));
  const stack = baselineStackOf(await openStack(set.images, { sensor: set.sensor, bands: ['blue', 'green', 'red', 'nir'] }));
  const results = await runBaseline(name, stack, { brightness }, { outDir: out });
  return scoreProbabilities(label, set, results.map((r) => r.outputs.probability), 0.5, started);
}

const fmt = (v: number | null) => (v === null ? '  -  ' : v.toFixed(3));

async function main() {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const models = args.filter((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));
  const sets = REAL_SETS.filter(realSetAvailable);
  const work = await mkdtemp(join(tmpdir(), 'autocm-accuracy-'));
  const rows: Row[] = [];
  const print = (r: Row) =>
    console.log(`${r.method.padEnd(28)} ${r.set.padEnd(10)} thr ${r.threshold.toFixed(2)}  P ${fmt(r.precision)}  R ${fmt(r.recall)}  F1 ${fmt(r.f1)}  best F1 ${fmt(r.bestF1)} at ${r.bestThreshold ?? '-'}  (${r.seconds.toFixed(1)} s)`);
  try {
    for (const spec of models) {
      const [model, label] = spec.split('=');
      for (const set of sets) {
        const row = await scoreModel(model!, label ?? model!, set, work);
        rows.push(row);
        print(row);
      }
    }
    if (args.includes('--baselines')) {
      const baselines: [BaselineName, number | undefined, string][] = [
        ['threshold', 0.2, 'brightness 0.2'],
        ['threshold', undefined, 'threshold'],
        ['hot', undefined, 'hot'],
        ['dec', undefined, 'dec'],
        ['tmask', undefined, 'tmask'],
      ];
      for (const [name, brightness, label] of baselines)
        for (const set of sets) {
          if (name === 'tmask' && set.name === 'ukis') continue;
          const row = await scoreBaseline(name, brightness, label, set, work);
          rows.push(row);
          print(row);
        }
    }
    if (jsonPath) await writeFile(jsonPath, JSON.stringify(rows, null, 1));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
