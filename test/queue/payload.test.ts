import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidPayloadError, validateJobData, validatePredictOptions } from '../../src/queue/payload.js';

const options = { threshold: 0.5, buffer: 0, format: 'uint8', tile: 512, overlap: 64, sensor: null };
const scene = {
  v: 1,
  kind: 'scene',
  runId: 'run-lx2k3-0123456789ab',
  input: 'scenes/a.tif',
  model: 'models/m.safetensors',
  outputDir: 'out',
  stem: 'a',
  sceneKey: '0123456789abcdef0123456789abcdef',
  options,
};

describe('validateJobData', () => {
  test('accepts the three job kinds autocm writes and copies only known fields', () => {
    assert.deepEqual(validateJobData(scene), scene);
    const strip = { ...scene, kind: 'strip', band: { start: 0, end: 448 }, width: 1000, height: 900 };
    assert.deepEqual(validateJobData(strip), strip);
    const assemble = { ...scene, kind: 'assemble', bands: [{ start: 0, end: 448 }, { start: 448, end: 900 }], width: 1000, height: 900 };
    assert.deepEqual(validateJobData(assemble), assemble);
  });

  test('rejects unknown fields, kinds and versions', () => {
    assert.throws(() => validateJobData({ ...scene, command: 'rm -rf /' }), /unknown field 'command'/);
    assert.throws(() => validateJobData({ ...scene, kind: 'exec' }), /unknown job kind/);
    assert.throws(() => validateJobData({ ...scene, v: 2 }), /payload version/);
    assert.throws(() => validateJobData({ ...scene, options: { ...options, shell: true } }), /unknown field 'shell'/);
    assert.throws(() => validateJobData(null), InvalidPayloadError);
    assert.throws(() => validateJobData([scene]), InvalidPayloadError);
  });

  test('rejects ids and stems that could carry paths or commands', () => {
    assert.throws(() => validateJobData({ ...scene, stem: '../evil' }), /stem must match/);
    assert.throws(() => validateJobData({ ...scene, stem: 'a/b' }), /stem must match/);
    assert.throws(() => validateJobData({ ...scene, stem: '.hidden' }), /stem must match/);
    assert.throws(() => validateJobData({ ...scene, sceneKey: '../../etc' }), /sceneKey must match/);
    assert.throws(() => validateJobData({ ...scene, runId: 'run-1-$(id)' }), /runId must match/);
    assert.throws(() => validateJobData({ ...scene, input: 42 }), /input must be a non-empty path/);
    assert.throws(() => validateJobData({ ...scene, model: 'a\0b' }), /model must be a non-empty path/);
  });

  test('rejects numbers out of range or of the wrong type', () => {
    assert.throws(() => validatePredictOptions({ ...options, threshold: 1.5 }), /threshold must be a number in \[0, 1\]/);
    assert.throws(() => validatePredictOptions({ ...options, threshold: Number.NaN }), /threshold/);
    assert.throws(() => validatePredictOptions({ ...options, threshold: '0.5' }), /threshold/);
    assert.throws(() => validatePredictOptions({ ...options, tile: 500 }), /multiple of 8/);
    assert.throws(() => validatePredictOptions({ ...options, tile: 1e9 }), /tile must be an integer/);
    assert.throws(() => validatePredictOptions({ ...options, overlap: 300 }), /overlap must be an integer in \[64, 256\]/);
    assert.throws(() => validatePredictOptions({ ...options, overlap: 100.5 }), /overlap/);
    assert.throws(() => validatePredictOptions({ ...options, overlap: 100 }), /overlap must be a multiple of 8/);
    assert.throws(() => validatePredictOptions({ ...options, buffer: -1 }), /buffer/);
    assert.throws(() => validatePredictOptions({ ...options, format: 'float64' }), /format must be uint8 or float32/);
    assert.throws(() => validatePredictOptions({ ...options, sensor: '../x' }), /sensor must match/);
    assert.deepEqual(validatePredictOptions({ ...options, sensor: 'landsat-5' }).sensor, 'landsat-5');
  });

  test('rejects strip bands outside the scene and assemble bands that do not tile it', () => {
    const strip = { ...scene, kind: 'strip', width: 100, height: 100 };
    assert.throws(() => validateJobData({ ...strip, band: { start: 50, end: 101 } }), /end must be an integer in \[51, 100\]/);
    assert.throws(() => validateJobData({ ...strip, band: { start: 60, end: 60 } }), /end must be/);
    assert.throws(() => validateJobData({ ...strip, band: { start: -1, end: 10 } }), /start must be/);
    const assemble = { ...scene, kind: 'assemble', width: 100, height: 100 };
    assert.throws(() => validateJobData({ ...assemble, bands: [{ start: 0, end: 40 }, { start: 50, end: 100 }] }), /without gaps/);
    assert.throws(() => validateJobData({ ...assemble, bands: [{ start: 0, end: 40 }] }), /not at the scene height/);
    assert.throws(() => validateJobData({ ...assemble, bands: [] }), /non-empty array/);
  });
});
