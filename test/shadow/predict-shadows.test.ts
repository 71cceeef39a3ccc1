import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { predictImages } from '../../src/predict/predict-images.js';
import { scenePixelSize, shadowBandsOf, sunFromMetadata } from '../../src/predict/shadow-setup.js';
import { synthesiseToFolder } from '../../src/synth/write-folder.js';
import { cliPath } from '../helpers/shared-data.js';

let work: string;
let stack: string;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'autocm-predict-shadows-'));
  stack = join(work, 'stack');
  await synthesiseToFolder(stack, { size: 64, dates: 2, sensor: 'landsat89-l2', seed: 3, quiet: true });
});
after(() => rmSync(work, { recursive: true, force: true }));

test('predict writes class 2 and the shadow probability, with the sun from the image metadata', async () => {
  const summary = await predictImages([stack], { model: defaultModelPath, outputDirectory: join(work, 'a'), shadowProbability: true, buffer: 1, shadowBuffer: 2, quiet: true, threads: 2, warn: () => {} });
  for (const image of summary.images) {
    assert.ok(image.shadowDirection === 'sun' || image.shadowDirection === 'none', image.shadowDirection);
    assert.ok(typeof image.shadowFraction === 'number');
    assert.ok(existsSync(image.shadowProbability!));
  }
  // No temporary cloud-only mask stays behind.
  assert.deepEqual(readdirSync(join(work, 'a')).filter((name) => name.startsWith('.')), []);
});

test('absurd sun angles are ignored with a warning and the direction is searched; --no-shadows writes cloud only', async () => {
  const warnings: string[] = [];
  const summary = await predictImages([stack], { model: defaultModelPath, outputDirectory: join(work, 'b'), sun: { azimuth: 150, elevation: -4 }, quiet: true, threads: 2, warn: (m) => warnings.push(m) });
  assert.ok(warnings.some((w) => /not usable \(elevation must be in \(0, 90\]\): ignored, the shadow direction is searched/.test(w)), warnings.join('\n'));
  assert.ok(summary.images.every((image) => image.shadowDirection !== 'sun'));
  const off = await predictImages([stack], { model: defaultModelPath, outputDirectory: join(work, 'c'), shadows: false, quiet: true, threads: 2, warn: () => {} });
  assert.ok(off.images.every((image) => image.shadowFraction === undefined));
});

test('CLI: --sun-azimuth without --sun-elevation is a one-line error, nothing written', () => {
  const out = join(work, 'd');
  const run = spawnSync(process.execPath, [cliPath, 'predict', stack, '-o', out, '--sun-azimuth', '150', '--quiet'], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /--sun-azimuth and --sun-elevation go together/);
  assert.equal(existsSync(out), false);
  const bad = spawnSync(process.execPath, [cliPath, 'predict', stack, '-o', out, '--sun-azimuth', '150', '--sun-elevation', '-3', '--quiet'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--sun-elevation must be in \(0, 90\] degrees \(got -3\)/);
  assert.equal(existsSync(out), false);
});

test('shadow set-up: bands by name (no NIR: none), pixel size, sun from metadata', () => {
  assert.deepEqual(shadowBandsOf(['blue', 'green', 'red', 'nir', 'swir1', 'swir2']), [
    { index: 3, name: 'nir' },
    { index: 4, name: 'swir1' },
    { index: 2, name: 'red' },
  ]);
  assert.equal(shadowBandsOf(['blue', 'green', 'red']), null);
  assert.equal(scenePixelSize({ geoTransform: [0, 10, 0, 0, 0, -10] }), 10);
  assert.equal(scenePixelSize({ geoTransform: null }), 30);
  assert.deepEqual(sunFromMetadata({ SUN_AZIMUTH: '151.5', SUN_ELEVATION: '40' }), { azimuth: 151.5, elevation: 40 });
  assert.equal(sunFromMetadata({}), undefined);
});
