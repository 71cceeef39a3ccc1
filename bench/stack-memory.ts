// Peak memory of the stack pass of `predict --stack` (src/predict/stack/stack-pass.ts) on a large stack:
//   node dist/bench/stack-memory.js STACK_FOLDER SINGLE_PROB_FOLDER [--sensor ID] [--budget MiB]
// SINGLE_PROB_FOLDER holds <stem>_cloudprob.tif (float32, 0..1, NaN nodata) per image, e.g. from
// `autocm predict --format float32` (the first pass, whose memory is predict's own: docs/performance.md).
// Writes the stack outputs into a temporary folder and prints seconds and peak RSS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCogWriter } from '../src/raster/cog-writer.js';
import { reflectanceImageOf } from '../src/raster/reflectance-stack.js';
import { openStack } from '../src/raster/stack.js';
import { outputWriterOptions } from '../src/predict/scene-setup.js';
import { runStackPass } from '../src/predict/stack/stack-pass.js';
import { loadStackRule } from '../src/predict/stack/stack-rule.js';

async function main() {
  const [folder, singles] = process.argv.slice(2);
  const option = (name: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };
  const stack = await openStack([folder!], { sensor: option('--sensor'), bands: ['blue', 'green', 'red', 'nir'] });
  const { rule } = loadStackRule(undefined, 'none.safetensors');
  const out = await mkdtemp(join(tmpdir(), 'autocm-stack-memory-'));
  const started = performance.now();
  try {
    const dates = [];
    for (const image of stack.images) {
      const options = outputWriterOptions(stack.width, stack.height, stack.georeference, 'uint8', {});
      dates.push({
        image: reflectanceImageOf(image, stack.bandNames),
        singleProbability: join(singles!, `${image.id}_cloudprob.tif`),
        writers: { probability: await createCogWriter(join(out, `${image.id}_cloudprob.tif`), options.probability), mask: await createCogWriter(join(out, `${image.id}_cloudmask.tif`), options.mask) },
      });
    }
    const datesWriter = await createCogWriter(join(out, 'stack_dates_used.tif'), { width: stack.width, height: stack.height, bandCount: dates.length, sampleType: 'uint8', georeference: stack.georeference, nodata: 255 });
    let peak = 0;
    const statistics = await runStackPass(dates, {
      width: stack.width, height: stack.height, rule, threshold: 0.5, buffer: 3, format: 'uint8', datesWriter,
      memoryBudget: option('--budget') ? Number(option('--budget')) * 2 ** 20 : undefined,
      onStrip: (done, total) => { peak = Math.max(peak, process.memoryUsage().rss); process.stderr.write(`\rstrip ${done}/${total}`); },
    });
    for (const d of dates) { await d.writers.probability.finish(); await d.writers.mask.finish(); }
    await datesWriter.finish();
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n${stack.images.length} dates of ${stack.width} x ${stack.height}: strips of ${statistics.stripRows} rows, ${seconds.toFixed(0)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
