import { InvalidArgumentError, type Command } from 'commander';
import { modelToOnnx } from '../graph/inference.js';
import { calibrateThreshold } from '../evaluate/calibrate.js';
import { calibrateOnSets, readCalibrationSets, type SetsCalibrationResult } from '../evaluate/calibrate-sets.js';
import type { PairBy } from '../evaluate/pairing.js';
import { formatModelSummary, summariseModel } from '../model/summary.js';
import { averageModels } from '../model/average.js';
import { loadModel, saveModel } from '../model/weights.js';
import { writeFileAtomically } from '../util/atomic.js';
import { AutocmError } from '../util/errors.js';
import { refuseOverwritingInputs } from '../util/input-guard.js';
import { checkOutputFile } from '../util/output-file.js';
import { numberOption } from './number-option.js';
import { printResult } from './output.js';

function sizeMultipleOf8(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 8 || parsed % 8 !== 0) throw new InvalidArgumentError(`not a positive multiple of 8: ${value}`);
  return parsed;
}

/** `autocm model info FILE`, `autocm model export-onnx FILE -o model.onnx` and `autocm model calibrate`. */
export function registerModelInfo(program: Command): void {
  const model = program.command('model').description('Inspect and convert autocm model files (.safetensors)');
  model
    .command('info')
    .description('Print a model file\'s metadata (sensor, bands, normalisation, training), parameter count and tensors')
    .argument('<file>', 'model file (.safetensors)')
    .option('--json', 'machine-readable output on stdout')
    .action(async (file: string, options: { json?: boolean }) => {
      const summary = summariseModel(await loadModel(file), file);
      printResult(options.json ?? false, summary, () => formatModelSummary(summary));
    });
  model
    .command('export-onnx')
    .description('Write the U-Net with its weights as an ONNX model (input "image" NCHW, outputs "mask" and "brightness"); runs in any ONNX Runtime, onnxruntime-web included')
    .argument('<file>', 'model file (.safetensors)')
    .requiredOption('-o, --output <file>', 'ONNX file to write')
    .option('--height <px>', 'fix the input height (default: dynamic)', sizeMultipleOf8)
    .option('--width <px>', 'fix the input width (default: dynamic)', sizeMultipleOf8)
    .option('--json', 'machine-readable summary on stdout')
    .action(async (file: string, options: { output: string; height?: number; width?: number; json?: boolean }) => {
      await refuseOverwritingInputs([options.output], [file]);
      await checkOutputFile(options.output, 'ONNX file');
      const loaded = await loadModel(file);
      const bytes = modelToOnnx(loaded, { height: options.height, width: options.width });
      await writeFileAtomically(options.output, bytes);
      const result = { model: file, output: options.output, bytes: bytes.length, bands: loaded.metadata.bands, height: options.height ?? 'dynamic', width: options.width ?? 'dynamic' };
      printResult(options.json ?? false, result, () => `wrote ${options.output} (${bytes.length.toLocaleString('en-US')} bytes; input image [N, ${loaded.metadata.inputBands}, ${result.height}, ${result.width}])`);
    });
  model
    .command('average')
    .description('Average the U-Net weights of models fine-tuned from one start (a model soup): steadier than any one random seed; calibrate the result afterwards')
    .argument('<files...>', 'model files (.safetensors) of the same bands and normalisation')
    .requiredOption('-o, --output <file>', 'model file to write (.safetensors)')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (files: string[], options: { output: string; json?: boolean }) => {
      await refuseOverwritingInputs([options.output], files);
      await checkOutputFile(options.output, 'model file');
      const averaged = await averageModels(files);
      await saveModel(options.output, averaged);
      printResult(options.json ?? false, { output: options.output, members: files }, () => `wrote ${options.output}: the mean of ${files.length} models (uncalibrated: threshold 0.5)`);
    });
  model
    .command('calibrate')
    .description(
      "Choose the model's cloud probability threshold against reference masks. With images and --ref: the best pooled F1 (synthetic truth from `autocm synth` keeps it label-free). " +
        'With --sets: labelled sets of several sensors, the threshold of the best mean F1 over the sets and a slope fitted by likelihood, folded into the network so the threshold is 0.5, with a leave-one-set-out table',
    )
    .argument('<file>', 'model file (.safetensors)')
    .argument('[images...]', 'images to mask (files, folders, globs), with --ref')
    .option('--ref <ref...>', 'reference masks or folders of them (0 clear, 1 cloud, 2 shadow, 255 nodata, or any format evaluate reads)')
    .option('--sets <file>', 'JSON list of labelled sets [{ "name", "images", "references", "sensor"? }] (paths relative to the file)')
    .requiredOption('-o, --output <file>', 'calibrated model file to write (.safetensors)')
    .option('--sensor <name>', 'sensor profile of the images (default: detected)')
    .option('--pair <how>', 'pair masks and references: auto, stem, date, order', 'auto')
    .option('--threads <n>', 'ONNX Runtime threads (default: all cores)', numberOption('integer', 1))
    .option('--quiet', 'no progress bars')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (file: string, images: string[], options: { ref?: string[]; sets?: string; output: string; sensor?: string; pair: string; threads?: number; quiet?: boolean; json?: boolean }) => {
      if (!['auto', 'stem', 'date', 'order'].includes(options.pair)) throw new InvalidArgumentError(`--pair must be auto, stem, date or order, got "${options.pair}"`);
      const quiet = options.quiet || options.json;
      if (options.sets) {
        if (images.length > 0 || options.ref) throw new AutocmError('give either --sets or images with --ref, not both');
        const sets = await readCalibrationSets(options.sets);
        await checkOutputFile(options.output, 'model file');
        await refuseOverwritingInputs([options.output], [file, options.sets, ...sets.flatMap((set) => [...set.images, ...set.references])]);
        const result = await calibrateOnSets({ model: file, sets, output: options.output, threads: options.threads, quiet });
        printResult(options.json ?? false, result, () => setsCalibrationTable(result));
        return;
      }
      if (images.length === 0 || !options.ref) throw new AutocmError('give images and --ref (their reference masks), or --sets');
      await refuseOverwritingInputs([options.output], [file, ...images, ...options.ref]);
      await checkOutputFile(options.output, 'model file');
      const result = await calibrateThreshold({
        model: file,
        images,
        references: options.ref,
        output: options.output,
        sensor: options.sensor,
        pairBy: options.pair as PairBy,
        threads: options.threads,
        quiet,
      });
      printResult(options.json ?? false, result, () =>
        `threshold ${result.threshold.toFixed(2)}: cloud F1 ${result.f1.toFixed(4)} (at 0.5: ${result.f1AtHalf?.toFixed(4) ?? 'n/a'}) over ${result.images} images, ${result.pixels.toLocaleString('en-US')} px\nwrote ${result.output}`,
      );
    });
}

function setsCalibrationTable(result: SetsCalibrationResult): string {
  const f = (v: number | null) => (v === null ? '  -  ' : v.toFixed(3));
  const lines = [
    `threshold ${result.originalThreshold.toPrecision(3)} on the model's probability (mean F1 ${result.meanF1.toFixed(3)} over ${result.sets.length} sets), slope ${result.slope.toPrecision(3)}; folded: the written model's threshold is 0.5`,
    '',
    'set                  images  cloud px   F1 (P / R) at it        left out: F1 (P / R) at thr    own best F1 at thr',
  ];
  for (const s of result.sets)
    lines.push(
      `${s.name.padEnd(20)} ${String(s.images).padStart(6)} ${String(s.cloudPixels).padStart(9)}   ${f(s.chosen.f1)} (${f(s.chosen.precision)} / ${f(s.chosen.recall)})   ` +
        `${f(s.leftOut.f1)} (${f(s.leftOut.precision)} / ${f(s.leftOut.recall)}) at ${s.leftOut.threshold.toPrecision(3)}   ${f(s.ownBest.f1)} at ${s.ownBest.threshold.toPrecision(3)}`,
    );
  lines.push('', `wrote ${result.output}`);
  return lines.join('\n');
}
