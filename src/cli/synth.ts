import { InvalidArgumentError, type Command } from 'commander';
import { SYNTHETIC_DEFAULTS } from '../synth/generate.js';
import { SYNTHETIC_SENSORS, type SyntheticSensorName } from '../synth/sensors.js';
import { synthesiseGroundToFolder } from '../synth/ground-folder.js';
import { synthesiseToFolder } from '../synth/write-folder.js';
import { AutocmError } from '../util/errors.js';
import { InputGuard } from '../util/input-guard.js';
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
  ground?: string[];
  groundSensor?: string;
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
    .option('--start-date <YYYY-MM-DD>', 'first acquisition date (with one --ground image: its own date)', SYNTHETIC_DEFAULTS.startDate)
    .option('--cadence-days <n>', 'days between acquisitions', integer, SYNTHETIC_DEFAULTS.cadenceDays)
    .option('--ground <images...>', 'real clear images to lay the clouds over (one per date, or one repeated over --dates with slight synthetic phenology): the output keeps their size, grid, blue/green/red/nir bands and scaling, and adds sensor.json')
    .option('--ground-sensor <id|json>', 'sensor of the --ground images (default: a sensor.json beside them, else detected)')
    .option('--force', 'write into a non-empty folder (a previous stack there is replaced)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (options: SynthCliOptions, command: Command) => {
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (options.ground) {
        await synthGround(options, given);
        return;
      }
      if (options.groundSensor) throw new AutocmError('--ground-sensor needs --ground');
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
        ...stackFigures(manifest),
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

async function synthGround(options: SynthCliOptions, given: (name: string) => boolean): Promise<void> {
  for (const [name, flag, instead] of [['size', '--size', "the ground's size"], ['sensor', '--sensor', '--ground-sensor names the ground\'s sensor']] as const) {
    if (given(name)) throw new AutocmError(`${flag} does not apply with --ground (${instead})`);
  }
  await (await InputGuard.of(options.ground!)).checkFolder(options.output);
  const result = await synthesiseGroundToFolder(options.output, {
    ground: options.ground!,
    groundSensor: options.groundSensor,
    seed: options.seed,
    dates: given('dates') ? options.dates : undefined,
    startDate: given('startDate') ? options.startDate : undefined,
    cadenceDays: given('cadenceDays') ? options.cadenceDays : undefined,
    force: options.force,
    quiet: options.quiet || options.json,
  });
  const { manifest } = result;
  const summary = {
    directory: result.directory,
    ground: manifest.ground.mode,
    groundImages: manifest.ground.images.length,
    ...stackFigures(manifest),
    warnings: result.warnings,
    seconds: Number(result.seconds.toFixed(2)),
  };
  printResult(options.json ?? false, summary, () =>
    [
      `wrote ${summary.dates} dates of ${summary.size[0]} x ${summary.size[1]} px over real ground (${summary.ground}; ${summary.sensor}, ${summary.bands.join(', ')}; ${summary.crs}) to ${summary.directory}`,
      `clear dates ${summary.clearDates}, mean cloud ${(100 * summary.meanCloudFraction).toFixed(1)} %, mean shadow ${(100 * summary.meanShadowFraction).toFixed(1)} %`,
      `truth masks in masks/, clear-sky surface in surface/, the images' sensor profile in sensor.json, details in manifest.json`,
    ].join('\n'),
  );
}

/** What both kinds of synthetic stack report: sensor, grid, and how cloudy its dates are. */
function stackFigures(manifest: {
  sensor: string;
  size: [number, number];
  bands: string[];
  crs: string;
  seed: number;
  dates: { cloudFraction: number; shadowFraction: number }[];
}) {
  const mean = (pick: (d: { cloudFraction: number; shadowFraction: number }) => number) =>
    Number((manifest.dates.reduce((sum, d) => sum + pick(d), 0) / manifest.dates.length).toFixed(4));
  return {
    sensor: manifest.sensor,
    size: manifest.size,
    bands: manifest.bands,
    crs: manifest.crs,
    seed: manifest.seed,
    dates: manifest.dates.length,
    clearDates: manifest.dates.filter((d) => d.cloudFraction === 0).length,
    meanCloudFraction: mean((d) => d.cloudFraction),
    meanShadowFraction: mean((d) => d.shadowFraction),
  };
}
