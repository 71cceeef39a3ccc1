// One `predict` in its own process for bench/predict.ts (peak RSS is the process's): the same
// work as `autocm predict <scene> --model <model> -o <output> --sensor sentinel2-l1c --json
// --overwrite [--no-shadows]`, with the network in worker threads or in one session on the main
// thread (`inferenceWorkers`, not a CLI option). Prints the summary as JSON.
import { predictImages } from '../src/predict/predict-images.js';

const [scene, model, outputDirectory, where, shadows] = process.argv.slice(2);
const summary = await predictImages([scene!], {
  model: model!,
  outputDirectory,
  sensor: 'sentinel2-l1c',
  overwrite: true,
  quiet: true,
  shadows: shadows !== 'no-shadows',
  inferenceWorkers: where === 'workers',
  warn: () => undefined,
});
process.stdout.write(JSON.stringify(summary));
