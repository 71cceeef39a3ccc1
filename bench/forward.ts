// U-Net forward throughput at 1024 x 1024 (one image) in Mpx/s: autocm's session against plain
// onnxruntime-node on the graph `autocm model export-onnx` writes (default session options but
// all cores and optimisation 'all'; also ORT's own default thread count, which is 1 on some
// 2-vCPU machines), on a real Sentinel-2 tile and on the synthetic ramp, timed side by side
// (bench/interleaved.ts). AUTOCM_BENCH_VARIANTS=1 adds each session option flipped on its
// own, on the real tile (docs/performance.md). % of peak: 36.3 kFLOP per pixel against
// AUTOCM_PEAK_GFLOPS (default 234, 2 Zen 4 cores of ENGINE-NOTES.md).
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { createMaskSession, type MaskSession, type MaskSessionOptions } from '../src/engine/mask-session.js';
import { modelToOnnx } from '../src/graph/inference.js';
import { parameterSpecs, unetLayers, unetSpec } from '../src/model/description.js';
import { initParameters } from '../src/model/init.js';
import { kerasCheckpointToModel } from '../src/model/keras-import.js';
import { type ModelFile } from '../src/model/weights.js';
import { best, interleaved, median, type Runner, type Timing } from './interleaved.js';
import { rampTile, realTile } from './tiles.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const checkpoint = resolve(repoRoot, '..', 'shared', 'reference', 'u_model_autocm');
const flopPerPixel = 36.3e3;
const peakFlops = Number(process.env.AUTOCM_PEAK_GFLOPS ?? 234) * 1e9;
const size = Number(process.env.AUTOCM_BENCH_SIZE ?? 1024);
const rounds = Number(process.env.AUTOCM_BENCH_REPEATS ?? 7);
const megapixels = (size * size) / 1e6;

async function benchModel(): Promise<ModelFile> {
  // The real weights when available: dead channels with denormal statistics are part of the real workload.
  if (existsSync(`${checkpoint}.index`)) return kerasCheckpointToModel(checkpoint);
  const layers = unetLayers(unetSpec(4));
  return {
    metadata: { format: 'autocm-model', formatVersion: 1, autocmVersion: 'bench', sensor: null, bands: ['b1', 'b2', 'b3', 'b4'], normalisation: { mode: 'reflectance' }, architecture: 'autocm-unet', inputBands: 4, createdAt: new Date().toISOString() },
    tensors: initParameters(layers, 1),
    shapes: new Map(parameterSpecs(layers).map((p) => [p.name, p.shape])),
  };
}

const rate = (seconds: number) => megapixels / seconds;
const percent = (mpx: number) => ((mpx * 1e6 * flopPerPixel) / peakFlops) * 100;
const describe = (t: Timing) =>
  `best ${rate(best(t)).toFixed(2)} Mpx/s (${percent(rate(best(t))).toFixed(0)} % of peak), median ${rate(median(t)).toFixed(2)}, ${(megapixels / t.cpuOfBest).toFixed(2)} Mpx per CPU-second`;

const model = await benchModel();
const inputs: [string, Float32Array][] = [['ramp', rampTile(size)]];
const real = await realTile(size);
if (real) inputs.unshift(['real tile', real]);

const autocm = await createMaskSession(model, {});
const onnx = modelToOnnx(model);
const plain = await ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'all', intraOpNumThreads: availableParallelism() });
const plainOrtThreads = await ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'all' });
const feed = (input: Float32Array) => ({ image: new ort.Tensor('float32', input, [1, 4, size, size]) });
const runners: Runner[] = inputs.flatMap(([name, input]) => [
  { label: `autocm ${name}`, run: () => autocm.run(input, 1, size, size) },
  { label: `plain ${name}`, run: () => plain.run(feed(input)) },
  { label: `plain, ORT's default threads, ${name}`, run: () => plainOrtThreads.run(feed(input)) },
]);
const timings = await interleaved(runners, rounds);
await Promise.all([plain.release(), plainOrtThreads.release(), autocm.release()]);
inputs.forEach(([name], i) => {
  const [ours, theirs, ortThreads] = [timings[3 * i]!, timings[3 * i + 1]!, timings[3 * i + 2]!];
  console.log(`forward ${size}^2 ${name}: autocm ${describe(ours)}`);
  console.log(`forward ${size}^2 ${name}: plain onnxruntime-node (export-onnx graph, default options, ${availableParallelism()} threads, optimisation all) ${describe(theirs)}`);
  console.log(`forward ${size}^2 ${name}: plain with ORT's default thread count ${describe(ortThreads)}`);
  console.log(`forward ${size}^2 ${name}: autocm / plain = ${(best(theirs) / best(ours)).toFixed(2)} (best), ${(median(theirs) / median(ours)).toFixed(2)} (median); load average ${loadavg()[0]!.toFixed(1)}`);
});

if (process.env.AUTOCM_BENCH_VARIANTS === '1') {
  const input = real ?? inputs[0]![1];
  const variants: [string, MaskSessionOptions][] = [
    ['chosen options', {}],
    ['options before 2026-12-01 (arena off, memory pattern on)', { session: { enableCpuMemArena: false, enableMemPattern: true } }],
    ['arena off', { session: { enableCpuMemArena: false } }],
    ['arena on', { session: { enableCpuMemArena: true } }],
    ['memory pattern on', { session: { enableMemPattern: true } }],
    ['denormal-as-zero on', { session: { extra: { session: { set_denormal_as_zero: '1' } } } }],
    ['denormal-as-zero off', { session: { extra: { session: { set_denormal_as_zero: '0' } } } }],
    ['optimisation disabled', { session: { graphOptimizationLevel: 'disabled' } }],
    ['optimisation basic', { session: { graphOptimizationLevel: 'basic' } }],
    ['optimisation extended', { session: { graphOptimizationLevel: 'extended' } }],
    ['1 thread', { threads: 1 }],
    ['execution mode parallel (2 inter-op threads)', { session: { executionMode: 'parallel', interOpNumThreads: 2 } }],
    ['memory pattern off', { session: { enableMemPattern: false } }],
    ['fixed-shape graph', { shapes: 'per-size' }],
    ['intra-op spinning on', { session: { extra: { session: { set_denormal_as_zero: '1', intra_op: { allow_spinning: '1' } } } } }],
    ['intra-op spinning off', { session: { extra: { session: { set_denormal_as_zero: '1', intra_op: { allow_spinning: '0' } } } } }],
  ];
  const sessions: MaskSession[] = [];
  const variantRunners: Runner[] = [];
  for (const [label, options] of variants) {
    const session = await createMaskSession(model, options);
    sessions.push(session);
    variantRunners.push({ label, run: () => session.run(input, 1, size, size) });
  }
  const variantTimings = await interleaved(variantRunners, rounds);
  for (const t of variantTimings) console.log(`forward ${size}^2 variant ${t.label}: ${describe(t)}`);
  await Promise.all(sessions.map((s) => s.release()));
}
