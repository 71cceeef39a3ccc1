// Training speed: seconds per U-Net forward+backward on 10 x 200 x 200 x 4 (target <= 0.75 s, the
// PyTorch + OpenBLAS anchor of ENGINE-NOTES) and per full METHOD.md step (three packs of
// 10 x 200 x 200 x 4: five U-Net passes + Siamese + losses + gradients), CPU seconds and peak RSS.
// AUTOCM_BENCH_PROFILE=1 adds an ORT profile of the U-Net pass, summarised by op type.
// AUTOCM_BENCH_STEP=0 skips the full step. AUTOCM_BENCH_VARIANTS=1 adds each session option flipped
// on its own, U-Net pass timed side by side (docs/performance.md).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TrainSession, type TrainSessionOptions } from '../src/engine/train-session.js';
import { type TrainingGraph, buildTrainingStepGraph, buildUNetPassGraph } from '../src/graph/training.js';
import { siameseLayers, siameseSpec, unetLayers, unetSpec } from '../src/model/description.js';
import { initParameters } from '../src/model/init.js';
import { createRandom } from '../src/util/random.js';
import { best, interleaved, median } from './interleaved.js';

const bands = 4;
const k = 10;
const size = 200;

function randomData(graph: TrainingGraph): Map<string, Float32Array> {
  const random = createRandom(1);
  return new Map(
    graph.dataInputs.map((d) => {
      const n = d.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = d.name.includes('valid') ? 1 : d.name === 'similarity_target' ? 0.5 : 0.05 + 0.4 * random.next();
      return [d.name, values];
    }),
  );
}

const parameters = () => new Map([...initParameters(unetLayers(unetSpec(bands)), 1), ...initParameters(siameseLayers(siameseSpec(bands)), 2)]);

async function time(label: string, graph: TrainingGraph, runs: number, profilePrefix?: string): Promise<void> {
  const params = parameters();
  const data = randomData(graph);
  const session = await TrainSession.create(graph, { profilePrefix });
  await session.run(params, data); // warm-up: first-run allocations
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const startCpu = process.cpuUsage();
    const start = performance.now();
    await session.run(params, data);
    wall.push((performance.now() - start) / 1000);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1e6);
  }
  if (profilePrefix) summariseProfile(session, profilePrefix);
  await session.release();
  const sorted = [...wall].sort((a, b) => a - b);
  console.log(
    `train ${label}: best ${sorted[0]!.toFixed(3)} s, median ${sorted[Math.floor(runs / 2)]!.toFixed(3)} s, ` +
      `${(cpu.reduce((a, b) => a + b, 0) / runs).toFixed(2)} CPU-s per run; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; load average ${loadavg()[0]!.toFixed(1)}`,
  );
}

function summariseProfile(session: TrainSession, prefix: string): void {
  // onnxruntime-node does not return the file name: find it by its prefix.
  session.endProfiling();
  const name = readdirSync(dirname(prefix)).find((f) => f.startsWith(basename(prefix)));
  if (!name) return;
  const file = join(dirname(prefix), name);
  const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  const byOp = new Map<string, number>();
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args?.op_name) byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  const top = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`train profile (all profiled runs): ${top.map(([op, us]) => `${op} ${((100 * us) / total).toFixed(0)} %`).join(', ')}`);
  rmSync(file, { force: true });
}

/** Each option flipped on its own against the chosen ones, in one process, interleaved. */
async function variants(graph: TrainingGraph, rounds: number): Promise<void> {
  const options: [string, TrainSessionOptions][] = [
    ['chosen options', {}],
    ['arena off', { session: { enableCpuMemArena: false } }],
    ['denormal-as-zero on', { session: { extra: { session: { set_denormal_as_zero: '1' } } } }],
    ['optimisation extended', { session: { graphOptimizationLevel: 'extended' } }],
    ['optimisation basic', { session: { graphOptimizationLevel: 'basic' } }],
    ['1 thread', { threads: 1 }],
    ['execution mode parallel (2 inter-op threads)', { session: { executionMode: 'parallel', interOpNumThreads: 2 } }],
    ['memory pattern on', { session: { enableMemPattern: true } }],
  ];
  const params = parameters();
  const data = randomData(graph);
  const sessions = await Promise.all(options.map(([, o]) => TrainSession.create(graph, o)));
  const timings = await interleaved(
    options.map(([label], i) => ({ label, run: () => sessions[i]!.run(params, data) })),
    rounds,
  );
  await Promise.all(sessions.map((s) => s.release()));
  for (const t of timings) console.log(`train variant ${t.label}: best ${best(t).toFixed(3)} s, median ${median(t).toFixed(3)} s, ${t.cpuOfBest.toFixed(2)} CPU-s (best run)`);
  console.log(`train variants: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (all sessions at once); load average ${loadavg()[0]!.toFixed(1)}`);
}

const profile = process.env.AUTOCM_BENCH_PROFILE === '1' ? join(tmpdir(), `autocm-train-profile-${process.pid}`) : undefined;
await time(`U-Net forward+backward ${k}x${size}x${size}x${bands}`, buildUNetPassGraph({ bands, k, height: size, width: size }), 3, profile);
if (process.env.AUTOCM_BENCH_STEP !== '0') {
  await time(
    `full step 3 packs of ${k}x${size}x${size}x${bands} (5 U-Net passes + Siamese)`,
    buildTrainingStepGraph({ bands, k, crop: size, spatialWeight: 0.01, temporalWeight: 0.01, margin: 0.2 }),
    2,
  );
}
if (process.env.AUTOCM_BENCH_VARIANTS === '1') {
  await variants(buildUNetPassGraph({ bands, k, height: size, width: size }), Number(process.env.AUTOCM_BENCH_REPEATS ?? 5));
}
