import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compositeStack } from '../../src/composite/composite-stack.js';
import type { CompositeMethod } from '../../src/composite/composite-methods.js';
import { openRaster } from '../../src/raster/open.js';
import { generateSyntheticStack, writeSyntheticStack, type SyntheticStack } from '../../src/synth/index.js';
import { imageFiles, stackOfFiles } from '../evaluate/stack-fixture.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

let work: string;
/** The stack folder (images and masks/ only); outputs go to `work`. */
let dir: string;
let synthetic: SyntheticStack;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'autocm-composite-synth-'));
  dir = join(work, 'stack');
  synthetic = generateSyntheticStack({ size: 64, dates: 10, sensor: 'landsat89-l2', seed: 7, cadenceDays: 3 });
  await writeSyntheticStack(synthetic, dir);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * What each method should give from the true clear surface over the dates the truth calls
 * clear: their mean, their median, or (best, binary masks: every clear date ties) the latest.
 */
function clearSurfaceReference(method: CompositeMethod): Float32Array[] {
  const n = synthetic.width * synthetic.height;
  return synthetic.bandNames.map((_, b) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const values = synthetic.dates.filter((d) => d.truth[i] === 0).map((d) => d.surface[b]![i]!);
      if (values.length === 0) out[i] = Number.NaN;
      else if (method === 'mean') out[i] = values.reduce((a, v) => a + v, 0) / values.length;
      else if (method === 'best') out[i] = values[values.length - 1]!;
      else {
        const sorted = values.sort((x, y) => x - y);
        const h = sorted.length >> 1;
        out[i] = sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
      }
    }
    return out;
  });
}

async function rmseAgainst(path: string, reference: Float32Array[]): Promise<{ rmse: number; nodata: number }> {
  const source = await openRaster(path);
  try {
    const { bands } = await source.readWindow({ x: 0, y: 0, width: source.info.width, height: source.info.height });
    let sq = 0;
    let n = 0;
    let nodata = 0;
    bands.forEach((band, b) => {
      for (let i = 0; i < band.length; i++) {
        const v = band[i]!;
        if (Number.isNaN(v) || Number.isNaN(reference[b]![i]!)) {
          if (Number.isNaN(v) !== Number.isNaN(reference[b]![i]!)) nodata++;
          continue;
        }
        sq += (v * synthetic.sensor.dnScale + synthetic.sensor.dnOffset - reference[b]![i]!) ** 2;
        n++;
      }
    });
    return { rmse: Math.sqrt(sq / n), nodata };
  } finally {
    await source.close();
  }
}

test('composites of a synthetic stack with its truth masks reproduce the clear surface', async () => {
  const stack = await stackOfFiles(imageFiles(dir), synthetic.bandNames);
  const errors: Record<string, number> = {};
  for (const method of ['mean', 'median', 'best'] as CompositeMethod[]) {
    const output = join(work, `composite_${method}.tif`);
    const summary = await compositeStack(stack, { output, countPath: join(work, `count_${method}.tif`), method, masksDir: join(dir, 'masks') });
    assert.equal(summary.matches.length, 10);
    assert.ok(summary.matches.every((m) => m.by === 'date' && m.maskFormat === 'plain'));
    const { rmse, nodata } = await rmseAgainst(output, clearSurfaceReference(method));
    // Nodata exactly where no date is clear (the reference is NaN there too).
    assert.equal(nodata, 0, `${method}: nodata differs from the no-clear-date pixels`);
    errors[method] = rmse;
  }
  // Measured (seed 7): mean 0.0096, median 0.0079, best 0.0213 reflectance RMSE (noise and
  // sub-threshold haze; the single best observation keeps its noise).
  assert.ok(errors.mean! < 0.012, `mean RMSE ${errors.mean}`);
  assert.ok(errors.median! < 0.010, `median RMSE ${errors.median}`);
  assert.ok(errors.best! < 0.026, `best RMSE ${errors.best}`);
  // Without masks (every observation clear) the clouds dominate: the masks are what makes it work.
  const allClear = join(work, 'all-clear');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(allClear);
  const { writeCog } = await import('../../src/raster/cog-writer.js');
  for (const d of synthetic.dates) {
    await writeCog(join(allClear, `mask_${d.date.replaceAll('-', '')}.tif`), {
      width: synthetic.width, height: synthetic.height, bandCount: 1, sampleType: 'uint8', georeference: synthetic.georeference, nodata: 255,
    }, [new Uint8Array(synthetic.width * synthetic.height)]);
  }
  await writeFile(join(allClear, 'README.txt'), 'every pixel clear');
  const unmasked = join(work, 'unmasked.tif');
  await compositeStack(stack, { output: unmasked, method: 'mean', masksDir: allClear });
  const { rmse: unmaskedRmse } = await rmseAgainst(unmasked, clearSurfaceReference('mean'));
  assert.ok(unmaskedRmse > 5 * errors.mean!, `unmasked RMSE ${unmaskedRmse} vs masked ${errors.mean}`);
});

test('composite --model predicts the masks on the fly and weights by their probabilities', async (t) => {
  if (!sharedPath(t, 'reference', 'u_model_autocm.index')) return;
  const { importAuthorsModel } = await import('../predict/model-fixture.js');
  const model = await importAuthorsModel();
  try {
    const output = join(work, 'model-composite.tif');
    const masks = join(work, 'predicted');
    const r = spawnSync(process.execPath, [cliPath, 'composite', dir, '--sensor', 'landsat89-l2', '--model', model.model, '--masks', masks, '-o', output, '--json', '-q'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.matches.length, 10);
    for (const m of summary.matches) {
      assert.equal(m.by, 'stem-probability');
      assert.equal(m.maskFormat, 'autocm-prob');
      assert.ok(existsSync(m.mask));
    }
    const source = await openRaster(output);
    assert.equal(source.info.bandCount, 7);
    await source.close();
  } finally {
    model.cleanup();
  }
});

test("the composite uses the threshold each probability file's model was calibrated to (AUTOCM_THRESHOLD), unless --threshold", async () => {
  const stack = await stackOfFiles(imageFiles(dir), synthetic.bandNames);
  const masks = join(work, 'calibrated-probabilities');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(masks);
  const { writeCog } = await import('../../src/raster/cog-writer.js');
  const n = synthetic.width * synthetic.height;
  for (const d of synthetic.dates) {
    // p = 0.4 everywhere: clear at the default 0.5, cloudy for a model calibrated to 0.3.
    await writeCog(join(masks, `img_${d.date.replaceAll('-', '')}_cloudprob.tif`), {
      width: synthetic.width, height: synthetic.height, bandCount: 1, sampleType: 'float32', georeference: synthetic.georeference, nodata: Number.NaN,
      metadata: { AUTOCM_THRESHOLD: '0.3' },
    }, [new Float32Array(n).fill(0.4)]);
  }
  const clearCount = async (threshold?: number) => {
    const countPath = join(work, `count-${threshold ?? 'model'}.tif`);
    const summary = await compositeStack(stack, { output: join(work, `calibrated-${threshold ?? 'model'}.tif`), countPath, method: 'median', masksDir: masks, threshold });
    const source = await openRaster(countPath);
    const { bands } = await source.readWindow({ x: 0, y: 0, width: 2, height: 1 });
    await source.close();
    return { thresholds: summary.thresholds, count: [...bands[0]!] };
  };
  assert.deepEqual(await clearCount(), { thresholds: [0.3], count: [0, 0] });
  // Measured: 9 of the 10 dates have valid bands at these two pixels.
  assert.deepEqual(await clearCount(0.5), { thresholds: [0.5], count: [9, 9] });
});
