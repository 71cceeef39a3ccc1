import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Command } from 'commander';
import { importKerasCheckpoint } from '../model/keras-import.js';
import { findBand, getSensorProfile } from '../raster/sensors.js';
import { AutocmError } from '../util/errors.js';
import { formatModelSummary, summariseModel } from '../model/summary.js';
import { refuseOverwritingInputs } from '../util/input-guard.js';
import { checkOutputFile } from '../util/output-file.js';
import { printResult } from './output.js';

/** PREFIX.index and PREFIX.data-* of a Keras checkpoint. */
async function checkpointFiles(prefix: string): Promise<string[]> {
  const names = await readdir(dirname(prefix)).catch(() => [] as string[]);
  return names.filter((name) => name === `${basename(prefix)}.index` || name.startsWith(`${basename(prefix)}.data-`)).map((name) => join(dirname(prefix), name));
}

interface ImportKerasCliOptions {
  output: string;
  sensor?: string;
  bands?: string;
  json?: boolean;
}

/**
 * Refuses what would make a model no image can be matched to: an unknown --sensor, empty or
 * repeated --bands names, and band names the given sensor profile does not have.
 */
function checkImportNames(sensor: string | undefined, bands: string[] | undefined): void {
  const profile = sensor === undefined ? undefined : getSensorProfile(sensor);
  if (!bands) return;
  if (bands.some((b) => b === '')) throw new AutocmError(`--bands has an empty name: '${bands.join(',')}'`);
  const seen = new Set<string>();
  for (const band of bands) {
    const key = band.toLowerCase().replace(/[\s_-]+/g, '');
    if (seen.has(key)) throw new AutocmError(`--bands names '${band}' twice: each input band must be a different band`);
    seen.add(key);
  }
  if (profile) {
    const unknown = bands.filter((b) => findBand(profile, b) === undefined);
    if (unknown.length > 0) {
      throw new AutocmError(`--bands ${unknown.join(', ')} not in sensor ${profile.id} (its bands: ${profile.bands.map((b) => `${b.name}/${b.common}`).join(', ')})`);
    }
  }
}

/** `autocm import-keras PREFIX -o model.safetensors`: the authors' Keras checkpoint as an autocm model. */
export function registerImportKeras(program: Command): void {
  program
    .command('import-keras')
    .description('Import a Keras U-Net checkpoint written by the Auto-CM reference code (save_weights: PREFIX.index + PREFIX.data-*), CRC-checked, as an autocm model')
    .argument('<prefix>', 'checkpoint prefix, e.g. path/u_model_autocm (the files PREFIX.index and PREFIX.data-00000-of-00001)')
    .requiredOption('-o, --output <file>', 'model file to write (.safetensors)')
    .option('--sensor <name>', 'sensor profile recorded in the model (default planetscope4 for a 4-band checkpoint without --bands)')
    .option('--bands <names>', 'comma-separated band names in input order (default Blue,Green,Red,NIR)')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (prefix: string, options: ImportKerasCliOptions) => {
      const bands = options.bands?.split(',').map((b) => b.trim());
      checkImportNames(options.sensor, bands);
      const checkpoint = prefix.replace(/\.index$/, '');
      await refuseOverwritingInputs([options.output], await checkpointFiles(checkpoint));
      await checkOutputFile(options.output, 'model file');
      const model = await importKerasCheckpoint(checkpoint, options.output, { sensor: options.sensor, bands });
      const summary = summariseModel(model, options.output);
      printResult(options.json ?? false, summary, () => `imported ${prefix}\n${formatModelSummary(summary)}`);
    });
}
