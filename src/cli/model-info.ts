import { InvalidArgumentError, type Command } from 'commander';
import { modelToOnnx } from '../graph/inference.js';
import { formatModelSummary, summariseModel } from '../model/summary.js';
import { loadModel } from '../model/weights.js';
import { writeFileAtomically } from '../util/atomic.js';
import { printResult } from './output.js';

function sizeMultipleOf8(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 8 || parsed % 8 !== 0) throw new InvalidArgumentError(`not a positive multiple of 8: ${value}`);
  return parsed;
}

/** `autocm model info FILE` and `autocm model export-onnx FILE -o model.onnx`. */
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
      const loaded = await loadModel(file);
      const bytes = modelToOnnx(loaded, { height: options.height, width: options.width });
      await writeFileAtomically(options.output, bytes);
      const result = { model: file, output: options.output, bytes: bytes.length, bands: loaded.metadata.bands, height: options.height ?? 'dynamic', width: options.width ?? 'dynamic' };
      printResult(options.json ?? false, result, () => `wrote ${options.output} (${bytes.length.toLocaleString('en-US')} bytes; input image [N, ${loaded.metadata.inputBands}, ${result.height}, ${result.width}])`);
    });
}
