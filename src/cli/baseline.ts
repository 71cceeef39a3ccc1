import type { Command } from 'commander';
import { reflectanceImagesOf, reflectanceStackOf } from '../raster/reflectance-stack.js';
import { maskOutputPaths } from '../baselines/mask-outputs.js';
import { BASELINE_NAMES, isBaselineName, isMultiDateBaseline, runBaseline, type BaselineParameters } from '../baselines/registry.js';
import { resolveInputs } from '../raster/inputs.js';
import { openStack } from '../raster/stack.js';
import { AutocmError } from '../util/errors.js';
import { refuseOverwritingInputs } from '../util/input-guard.js';
import { progressBar } from '../util/progress.js';
import { version } from '../version.js';
import { printResult } from './output.js';

interface BaselineCliOptions {
  output: string;
  sensor?: string;
  bands?: string;
  brightness?: string;
  hot?: string;
  clusters?: string;
  seed?: string;
  kMad?: string;
  minDeparture?: string;
  delta?: string;
  aeSteps?: string;
  decSteps?: string;
  json?: boolean;
  quiet?: boolean;
}

function number(value: string | undefined, flag: string, check: (v: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isFinite(v) || !check(v)) throw new AutocmError(`${flag} must be ${what}, got "${value}"`);
  return v;
}

export function registerBaseline(program: Command): void {
  program
    .command('baseline')
    .description(
      'label-free baseline cloud masks, written like predict (<stem>_cloudmask.tif, <stem>_cloudprob.tif): ' +
        'threshold (mean visible reflectance >= 0.3), hot (haze-optimised transform, needs blue and red), ' +
        'kmeans (k-means on bands + 5x5 local mean/std, bright clusters = cloud), ' +
        'dec (Deep Embedded Clustering, Xie et al. 2016: autoencoder + KL clustering of the pixels\' bands, bright clusters = cloud), ' +
        'temporal-mad (outliers against the temporal median of a stack), ' +
        'tmask (Zhu and Woodcock 2014: robust harmonic model per pixel over a dated stack, residual tests for cloud and shadow); see docs/baselines.md',
    )
    .argument('<name>', `baseline: ${BASELINE_NAMES.join(', ')}`)
    .argument('<inputs...>', 'images, folders, globs or list files (a stack for tmask)')
    .requiredOption('-o, --output <dir>', 'output folder')
    .option('--sensor <id>', 'sensor profile (band names and reflectance scaling); detected when omitted')
    .option('--bands <names>', 'comma-separated bands to use (common names)')
    .option('--brightness <r>', 'threshold: mean visible reflectance of cloud (0.3); kmeans, dec: mean visible reflectance of a cloud cluster (0.2)')
    .option('--hot <h>', 'hot: HOT value (reflectance above the clear-sky line) of cloud (0.04)')
    .option('--clusters <k>', 'kmeans, dec: number of clusters (5)')
    .option('--seed <n>', 'kmeans, dec: seed (1)')
    .option('--ae-steps <n>', 'dec: autoencoder training steps (default: 40 passes over the sample, 200 to 1500)')
    .option('--dec-steps <n>', 'dec: most clustering steps (default: as --ae-steps)')
    .option('--k-mad <k>', 'temporal-mad: robust z threshold, departures beyond k x 1.4826 x MAD (3)')
    .option('--min-departure <r>', 'temporal-mad: smallest reflectance departure that counts (0.04)')
    .option('--delta <r>', 'tmask: residual (observed - model) of the cloud and shadow tests (0.04)')
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (name: string, inputs: string[], o: BaselineCliOptions) => {
      if (!isBaselineName(name)) throw new AutocmError(`unknown baseline "${name}"; supported: ${BASELINE_NAMES.join(', ')}`);
      const params: BaselineParameters = {
        brightness: number(o.brightness, '--brightness', (v) => v > 0, 'a positive reflectance'),
        hot: number(o.hot, '--hot', () => true, 'a number'),
        clusters: number(o.clusters, '--clusters', (v) => Number.isInteger(v) && v >= 2 && v <= 32, 'a whole number from 2 to 32'),
        seed: number(o.seed, '--seed', Number.isInteger, 'a whole number'),
        kMad: number(o.kMad, '--k-mad', (v) => v > 0, 'positive'),
        minDeparture: number(o.minDeparture, '--min-departure', (v) => v >= 0, 'a non-negative reflectance'),
        delta: number(o.delta, '--delta', (v) => v > 0, 'a positive reflectance'),
        aeSteps: number(o.aeSteps, '--ae-steps', (v) => Number.isInteger(v) && v >= 1, 'a positive whole number'),
        decSteps: number(o.decSteps, '--dec-steps', (v) => Number.isInteger(v) && v >= 0, 'a non-negative whole number'),
      };
      const resolve = { sensor: o.sensor, bands: o.bands?.split(',').map((b) => b.trim()).filter(Boolean) };
      const opened = isMultiDateBaseline(name) ? await openStack(inputs, resolve) : null;
      const images = opened ? opened.images : await resolveInputs(inputs, resolve);
      await refuseOverwritingInputs(
        images.flatMap((image) => Object.values(maskOutputPaths(o.output, image.id))),
        images.flatMap((image) => image.files),
      );
      const stack = opened ? reflectanceStackOf(opened) : reflectanceImagesOf(images, resolve.bands);
      const steps = isMultiDateBaseline(name) ? Math.ceil(stack.width / 512) * Math.ceil(stack.height / 512) : stack.images.length;
      const progress = progressBar(`baseline ${name}`, steps, { quiet: o.quiet });
      const results = await runBaseline(name, stack, params, {
        outDir: o.output,
        metadata: { AUTOCM_VERSION: version },
        onImage: (done) => progress.update(done),
      });
      progress.stop();
      for (const r of results) if (typeof r.fitted.warning === 'string') process.stderr.write(`warning: ${r.image}: ${r.fitted.warning}\n`);
      const pixels = results[0]?.fitted.pixels as Record<string, number> | undefined;
      if (name === 'tmask' && pixels && !o.quiet) {
        process.stderr.write(
          `tmask: ${pixels.fiveTerm ?? 0} pixels 5-term model, ${pixels.threeTerm ?? 0} 3-term, ${pixels.fallback ?? 0} fell back to the robust mean (too few clear observations), ${pixels.screenOnly ?? 0} with no clear observation (screen only)\n`,
        );
      }
      printResult(o.json ?? false, { baseline: name, outputs: results }, () =>
        results.map((r) => `${r.image}\n  ${r.outputs.mask}\n  ${r.outputs.probability}`).join('\n'),
      );
    });
}
