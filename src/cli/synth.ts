import { InvalidArgumentError, type Command } from 'commander';
import { SYNTHETIC_DEFAULTS } from '../synth/generate.js';
import { SYNTHETIC_SENSORS, type SyntheticSensorName } from '../synth/sensors.js';
import { synthesiseToFolder } from '../synth/write-folder.js';
import { printResult } from './output.js';

function integer(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed)) throw new InvalidArgumentError(`not a whole number: ${value}`);
  return parsed;
}

interface SynthCliOptions {
  output: string;
  size: number;
  dates: number;
  sensor: string;
  seed: number;
  startDate: string;
  cadenceDays: number;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('Write a synthetic image time series with exact truth: img_YYYYMMDD.tif, masks/mask_YYYYMMDD.tif (0 clear, 1 cloud, 2 shadow, 255 nodata), surface/ (clear-sky reflectance), manifest.json')
    .requiredOption('-o, --output <dir>', 'output folder (created; must be empty unless --force)')
    .option('--size <px>', 'width = height in pixels (multiple of 8, >= 64)', integer, 512)
    .option('--dates <n>', 'number of acquisition dates', integer, 30)
    .option('--sensor <name>', `sensor to imitate: ${SYNTHETIC_SENSORS.join(', ')}`, 'planetscope4')
    .option('--seed <n>', 'random seed (same seed, same bytes)', integer, 1)
    .option('--start-date <YYYY-MM-DD>', 'first acquisition date', SYNTHETIC_DEFAULTS.startDate)
    .option('--cadence-days <n>', 'days between acquisitions', integer, SYNTHETIC_DEFAULTS.cadenceDays)
    .option('--force', 'write into a non-empty folder (a previous stack there is replaced)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (options: SynthCliOptions) => {
      const result = await synthesiseToFolder(options.output, {
        size: options.size,
        dates: options.dates,
        sensor: options.sensor as SyntheticSensorName,
        seed: options.seed,
        startDate: options.startDate,
        cadenceDays: options.cadenceDays,
        force: options.force,
        quiet: options.quiet || options.json,
      });
      const { manifest } = result;
      const summary = {
        directory: result.directory,
        sensor: manifest.sensor,
        size: manifest.size,
        bands: manifest.bands,
        crs: manifest.crs,
        seed: manifest.seed,
        dates: manifest.dates.length,
        clearDates: manifest.dates.filter((d) => d.cloudFraction === 0).length,
        meanCloudFraction: Number((manifest.dates.reduce((sum, d) => sum + d.cloudFraction, 0) / manifest.dates.length).toFixed(4)),
        meanShadowFraction: Number((manifest.dates.reduce((sum, d) => sum + d.shadowFraction, 0) / manifest.dates.length).toFixed(4)),
        events: manifest.events,
        generateSeconds: Number(result.generateSeconds.toFixed(2)),
        writeSeconds: Number(result.writeSeconds.toFixed(2)),
      };
      printResult(options.json ?? false, summary, () =>
        [
          `wrote ${summary.dates} dates of ${summary.size[0]} x ${summary.size[1]} px (${summary.sensor}, ${summary.bands.join(', ')}; ${summary.crs}) to ${summary.directory}`,
          `clear dates ${summary.clearDates}, mean cloud ${(100 * summary.meanCloudFraction).toFixed(1)} %, mean shadow ${(100 * summary.meanShadowFraction).toFixed(1)} %`,
          `flood: ${summary.events.flood.join(', ') || 'none'}; harvest: ${summary.events.harvest.join(', ') || 'none'}`,
          `truth masks in masks/, clear-sky surface in surface/, details in manifest.json`,
        ].join('\n'),
      );
    });
}
