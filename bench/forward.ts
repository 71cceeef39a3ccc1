// U-Net forward throughput on ONNX Runtime at 1024 x 1024 (one image), in Mpx/s and as % of this
// machine's FP32 peak (ENGINE-NOTES.md: 234 GFLOP/s on 2 Zen 4 cores; 36.3 kFLOP per pixel).
// Set AUTOCM_BENCH_VARIANTS=1 to also compare graph and session variants.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMaskSession, type MaskSessionOptions } from '../src/engine/mask-session.js';
import { parameterSpecs, unetLayers, unetSpec } from '../src/model/description.js';
import { initParameters } from '../src/model/init.js';
import { kerasCheckpointToModel } from '../src/model/keras-import.js';
import { type ModelFile } from '../src/model/weights.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const checkpoint = resolve(repoRoot, '..', 'shared', 'reference', 'u_model_autocm');
const flopPerPixel = 36.3e3;
const peakFlops = Number(process.env.AUTOCM_PEAK_GFLOPS ?? 234) * 1e9;
const size = Number(process.env.AUTOCM_BENCH_SIZE ?? 1024);
const repeats = Number(process.env.AUTOCM_BENCH_REPEATS ?? 7);

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

interface Rates {
  best: number;
  median: number;
  /** Mpx per CPU-second of this process (best run): robust to other processes' load, not to spinning threads. */
  bestPerCpuSecond: number;
}

async function measure(model: ModelFile, options: MaskSessionOptions): Promise<Rates> {
  const session = await createMaskSession(model, options);
  const input = new Float32Array(4 * size * size).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  await session.run(input, 1, size, size);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await session.run(input, 1, size, size);
    const cpu = process.cpuUsage(cpuStarted);
    rates.push((size * size) / 1e6 / ((performance.now() - started) / 1000));
    cpuRates.push((size * size) / ((cpu.user + cpu.system) / 1e6) / 1e6);
  }
  await session.release();
  rates.sort((a, b) => b - a);
  return { best: rates[0]!, median: rates[rates.length >> 1]!, bestPerCpuSecond: Math.max(...cpuRates) };
}

const percent = (mpx: number) => ((mpx * 1e6 * flopPerPixel) / peakFlops) * 100;
const model = await benchModel();
const variants: [string, MaskSessionOptions][] = [['default (dynamic-shape graph, all cores)', {}]];
if (process.env.AUTOCM_BENCH_VARIANTS === '1') {
  variants.push(
    ['per-size graph', { shapes: 'per-size' }],
    ['BN as Mul+Add', { batchNorm: 'affine' }],
    ['ConvTranspose for the transposed convs', { transposedConv: 'convtranspose' }],
    ['1 thread', { threads: 1 }],
    ['1 thread, ConvTranspose', { threads: 1, transposedConv: 'convtranspose' }],
  );
}
for (const [label, options] of variants) {
  const { best, median, bestPerCpuSecond } = await measure(model, options);
  console.log(
    `forward ${size}^2 ${label}: best ${best.toFixed(2)} Mpx/s (${percent(best).toFixed(0)} % of ${peakFlops / 1e9} GFLOP/s peak), median ${median.toFixed(2)} Mpx/s (${percent(median).toFixed(0)} %); ` +
      `${bestPerCpuSecond.toFixed(2)} Mpx per CPU-second; load average ${loadavg()[0]!.toFixed(1)}`,
  );
}
