import { dirname, join } from 'node:path';
import { compositeStack } from '../composite/composite-stack.js';
import { reflectanceImagesOf, reflectanceStackOf } from '../raster/reflectance-stack.js';
import { BASELINE_LABELS, isMultiDateBaseline, runBaseline } from '../baselines/registry.js';
import { calibrateThreshold } from '../evaluate/calibrate.js';
import { evaluateAll } from '../evaluate/evaluate-all.js';
import { HtmlReportWriter } from '../evaluate/report/html-report.js';
import { imageLocator } from '../evaluate/report/image-locator.js';
import { predictDefaults, predictImages } from '../predict/predict-images.js';
import { predictStack } from '../predict/stack/predict-stack.js';
import { openRaster } from '../raster/open.js';
import { openStack } from '../raster/stack.js';
import { synthesiseToFolder } from '../synth/write-folder.js';
import { prepareOutputDirectory } from '../synth/output-dir.js';
import { DEFAULT_CONFIG, type TrainConfig } from '../train/config.js';
import { train } from '../train/loop.js';
import { stackScene } from '../train/scene.js';
import { makeDirectories } from '../util/directories.js';
import { AutocmError } from '../util/errors.js';
import { withTemporaryFolder } from '../util/temporary-cleanup.js';
import { progressBar } from '../util/progress.js';
import { version } from '../version.js';
import { DEMO_BASELINES, FULL_DEMO, QUICK_DEMO, type DemoConfig } from './config.js';
import { writeDemoSummary, type DemoSummary, type MethodScore } from './summary.js';

export interface DemoOptions {
  force?: boolean;
  quick?: boolean;
  /** Training steps (overrides the configuration's). */
  steps?: number;
  seed?: number;
  threads?: number;
  quiet?: boolean;
  /** Stage headers go here (stderr by default). */
  log?: (line: string) => void;
}

const STAGES = ['synth', 'train', 'calibrate', 'predict', 'predict --stack', 'composite', 'baselines', 'evaluate'] as const;

/**
 * The whole system on synthetic data with exact truth: a stack is made, a model is trained on
 * it without labels, every date is masked, a composite is made, the label-free baselines run,
 * and everything is scored against the truth (HTML report for Auto-CM).
 */
export async function runDemo(dir: string, options: DemoOptions = {}): Promise<DemoSummary> {
  const config: DemoConfig = { ...(options.quick ? QUICK_DEMO : FULL_DEMO) };
  if (options.steps !== undefined) config.steps = options.steps;
  if (options.seed !== undefined) config.seed = options.seed;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quiet = options.quiet ?? false;
  const started = performance.now();
  const seconds: Record<string, number> = {};
  const root = (await prepareOutputDirectory(dir, { force: options.force, what: 'demo folder' })).path;
  const paths = {
    stack: join(root, 'stack'),
    model: join(root, 'model', 'autocm-demo.safetensors'),
    autocm: join(root, 'predictions', 'autocm'),
    // Beside the single-image masks, so that the viewer offers both to swipe against each other.
    autocmStack: join(root, 'predictions', 'autocm-stack'),
    baseline: (name: string) => join(root, 'predictions', name),
    composite: join(root, 'composite', 'autocm-mean.tif'),
    truthComposite: join(root, 'composite', 'truth-mean.tif'),
    report: join(root, 'report'),
  };
  let stageIndex = 0;
  const stage = async <T>(name: (typeof STAGES)[number], what: string, run: () => Promise<T>): Promise<T> => {
    stageIndex += 1;
    log(`\n== [${stageIndex}/${STAGES.length}] ${name}: ${what}`);
    const t0 = performance.now();
    const result = await run();
    seconds[name] = Number(((performance.now() - t0) / 1000).toFixed(1));
    log(`   ${name} done in ${seconds[name]} s`);
    return result;
  };

  const synth = await stage('synth', `synthetic planetscope4 stack, ${config.size} x ${config.size} px x ${config.dates} dates, seed ${config.seed}`, () =>
    synthesiseToFolder(paths.stack, { size: config.size, dates: config.dates, sensor: 'planetscope4', seed: config.seed, force: true, quiet }),
  );
  const truthMasks = synth.manifest.dates.map((d) => join(paths.stack, d.mask));
  const images = synth.manifest.dates.map((d) => join(paths.stack, d.image));

  await stage('train', `Auto-CM without labels: ${config.steps} steps, K=${config.k}, crop ${config.crop}, lr ${config.learningRate}`, async () => {
    const stack = await openStack([paths.stack]);
    const scene = stackScene(stack, 'synthetic');
    const trainConfig: TrainConfig = {
      ...DEFAULT_CONFIG,
      sensor: stack.sensor.id,
      bands: stack.bandNames,
      normalisation: 'reflectance',
      k: config.k,
      crop: config.crop,
      offsetGrid: config.offsetGrid,
      steps: config.steps,
      learningRate: config.learningRate,
      seed: config.seed,
    };
    const dates = synth.manifest.dates.map((d) => d.date);
    await makeDirectories(dirname(paths.model));
    try {
      return await train({
        config: trainConfig,
        scenes: [scene],
        data: { scenes: [{ name: 'synthetic', images: stack.images.length, width: stack.width, height: stack.height, firstDate: dates[0] ?? null, lastDate: dates.at(-1) ?? null }], bands: stack.bandNames, sensor: stack.sensor.id },
        output: paths.model,
        checkpointEvery: Math.max(1, Math.min(100, config.steps)),
        threads: options.threads,
        quiet,
        // A small K is the demo's choice, said in the stage header.
        warn: (message) => (/below the method/.test(message) ? undefined : log(`   warning: ${message}`)),
      });
    } finally {
      await scene.close();
    }
  });

  // A second stack, never trained on or scored, picks the threshold: the probabilities of a
  // short run sit below 0.5 on thin clouds, and its ranking is what training improves. It lives
  // in a temporary folder (the viewer would mix its dates into the stack's); the command that
  // remakes it is in the summary.
  const calibrationStack = { size: config.size, dates: config.calibrationDates, sensor: 'planetscope4', seed: config.seed + 1000, startDate: '2022-03-01' } as const;
  const calibrationCommand = `autocm synth --size ${calibrationStack.size} --dates ${calibrationStack.dates} --sensor ${calibrationStack.sensor} --seed ${calibrationStack.seed} --start-date ${calibrationStack.startDate}`;
  const calibration = await stage('calibrate', `threshold from the truth of a separate synthetic stack (seed ${calibrationStack.seed}, ${calibrationStack.dates} dates)`, () => withTemporaryFolder('autocm-demo-calibration-', async (folder) => {
    try {
      await synthesiseToFolder(folder, { ...calibrationStack, force: true, quiet: true });
      const result = await calibrateThreshold({ model: paths.model, images: [folder], references: [join(folder, 'masks')], output: paths.model, source: calibrationCommand, threads: options.threads, quiet });
      log(`   threshold ${result.threshold.toFixed(2)}: calibration F1 ${result.f1.toFixed(3)} (at 0.5: ${result.f1AtHalf?.toFixed(3) ?? 'n/a'})`);
      return { value: result.threshold, calibrated: true, calibrationF1: result.f1, calibrationF1AtHalf: result.f1AtHalf, stack: calibrationCommand };
    } catch (error) {
      if (!(error instanceof AutocmError)) throw error;
      log(`   warning: ${error.message}; the model keeps threshold ${predictDefaults.threshold}`);
      return { value: predictDefaults.threshold, calibrated: false, calibrationF1: null, calibrationF1AtHalf: null, stack: calibrationCommand };
    }
  }));

  await stage('predict', `cloud probability and mask for all ${images.length} dates`, () =>
    predictImages(images, { model: paths.model, outputDirectory: paths.autocm, threads: options.threads, quiet, overwrite: true }),
  );

  await stage('predict --stack', `each date's mask also from the other ${images.length - 1} dates (single-image vs stack in the table and the viewer)`, () =>
    predictStack(images, { model: paths.model, outputDirectory: paths.autocmStack, threads: options.threads, quiet, overwrite: true }),
  );

  const composite = await stage('composite', 'cloud-weighted mean composite from the Auto-CM masks, and from the truth masks', async () => {
    const bar = progressBar('composite', 2, { quiet });
    const stack = reflectanceStackOf(await openStack([paths.stack]));
    // The model's calibrated threshold decides which observations are clear (not a fixed 0.5).
    await compositeStack(stack, { output: paths.composite, method: 'mean', masksDir: paths.autocm, threshold: calibration.value });
    bar.update(1);
    await compositeStack(stack, { output: paths.truthComposite, method: 'mean', masksDir: join(paths.stack, 'masks') });
    bar.update(2);
    bar.stop();
    return { rmse: await compositeRmse(paths.composite, paths.truthComposite) };
  });

  await stage('baselines', `label-free baselines: ${DEMO_BASELINES.join(', ')}`, async () => {
    for (const name of DEMO_BASELINES) {
      const opened = await openStack([paths.stack]);
      const stack = isMultiDateBaseline(name) ? reflectanceStackOf(opened) : reflectanceImagesOf(opened.images);
      const bar = progressBar(`baseline ${name}`, isMultiDateBaseline(name) ? Math.ceil(stack.width / 512) * Math.ceil(stack.height / 512) : stack.images.length, { quiet });
      await runBaseline(name, stack, {}, { outDir: paths.baseline(name), metadata: { AUTOCM_VERSION: version }, onImage: (done) => bar.update(done) });
      bar.stop();
    }
  });

  const scores = await stage('evaluate', 'every method against the truth masks (HTML report for Auto-CM)', async () => {
    const methods: MethodScore[] = [];
    const report = new HtmlReportWriter(paths.report, imageLocator(images));
    const predictionsOf = (folder: string) => synth.manifest.dates.map((d) => join(folder, `${d.image.replace(/\.tif$/, '')}_cloudmask.tif`));
    const methodFolders: [string, string][] = [
      ['Auto-CM', paths.autocm],
      ['Auto-CM --stack', paths.autocmStack],
      ...DEMO_BASELINES.map((name): [string, string] => [BASELINE_LABELS[name], paths.baseline(name)]),
    ];
    for (const [method, folder] of methodFolders) {
      const bar = progressBar(`evaluate ${method}`, truthMasks.length, { quiet });
      const withReport = folder === paths.autocm && config.pictureMaxSide > 0;
      const summary = await evaluateAll(predictionsOf(folder), truthMasks, {
        pairBy: 'date',
        pictureMaxSide: withReport ? config.pictureMaxSide : 0,
        onPair: async (outcome, index) => {
          if (withReport) await report.addPair(outcome, index);
          bar.update(index + 1);
        },
      });
      bar.stop();
      const reportPath = withReport ? await report.finish(summary) : null;
      const cloud = summary.pooled.cloud.strict;
      const shadow = 'skipped' in summary.pooled.shadow ? null : summary.pooled.shadow.strict;
      const cloudShadow = 'skipped' in summary.pooled.cloudShadow ? null : summary.pooled.cloudShadow.strict;
      methods.push({
        shadowF1: shadow?.f1 ?? null,
        shadowPrecision: shadow?.precision ?? null,
        shadowRecall: shadow?.recall ?? null,
        cloudShadowF1: cloudShadow?.f1 ?? null,
        method,
        f1: cloud.f1,
        precision: cloud.precision,
        recall: cloud.recall,
        iou: cloud.iou,
        overallAccuracy: cloud.overallAccuracy,
        report: reportPath,
      });
    }
    return methods;
  });

  const summary: DemoSummary = {
    directory: root,
    config,
    stack: paths.stack,
    model: paths.model,
    threshold: calibration,
    predictions: paths.autocm,
    stackPredictions: paths.autocmStack,
    composite: paths.composite,
    compositeRmseVsTruth: composite.rmse,
    report: scores.find((s) => s.report)?.report ?? null,
    scores,
    truth: {
      dates: synth.manifest.dates.length,
      meanCloudFraction: mean(synth.manifest.dates.map((d) => d.cloudFraction)),
      meanShadowFraction: mean(synth.manifest.dates.map((d) => d.shadowFraction)),
    },
    seconds: { ...seconds, total: Number(((performance.now() - started) / 1000).toFixed(1)) },
  };
  await writeDemoSummary(join(root, 'summary.json'), summary);
  return summary;
}

function mean(values: number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

/** Root-mean-square difference (reflectance) between two composites over the pixels valid in both. */
async function compositeRmse(a: string, b: string): Promise<number | null> {
  const [first, second] = [await openRaster(a), await openRaster(b)];
  try {
    const window = { x: 0, y: 0, width: first.info.width, height: first.info.height };
    const [x, y] = [await first.readWindow(window), await second.readWindow(window)];
    let sum = 0;
    let count = 0;
    x.bands.forEach((band, k) => {
      for (let i = 0; i < band.length; i += 1) {
        const d = Number(band[i]) - Number(y.bands[k][i]);
        if (Number.isFinite(d)) {
          sum += d * d;
          count += 1;
        }
      }
    });
    // The composites keep the input units (DN); planetscope4 DN are reflectance x 10000.
    return count > 0 ? Math.sqrt(sum / count) / 10000 : null;
  } finally {
    await first.close();
    await second.close();
  }
}

export { STAGES as DEMO_STAGES };
export type { DemoSummary };
