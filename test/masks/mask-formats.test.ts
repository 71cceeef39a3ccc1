import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openMaskFile } from '../../src/masks/mask-reader.js';
import { detectMaskFormat } from '../../src/masks/format-detect.js';
import { decodeMask, formatHasShadow } from '../../src/masks/mask-formats.js';
import { sharedPath } from '../helpers/shared-data.js';

const N = 255;
const decode1 = (format: Parameters<typeof decodeMask>[0], values: number[], nodata: number | null = null, threshold?: number) =>
  decodeMask(format, [Uint16Array.from(values)], values.length, 1, { nodata, threshold });

test('Landsat C2 QA_PIXEL bits map fill, dilated cloud, cirrus, cloud, shadow, snow, clear, water', () => {
  // fill, dilated, cirrus, cloud, shadow, snow, clear, water; and real words: 21824 clear land, 22280 high-confidence cloud, 23888 shadow
  const words = [1, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6, 1 << 7, 21824, 22280, 23888];
  assert.deepEqual([...decode1('qa-pixel', words).classes], [N, 1, 1, 1, 2, 0, 0, 0, 0, 1, 2]);
});

test('Sentinel-2 SCL classes map to clear/cloud/shadow/nodata', () => {
  const scl = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  assert.deepEqual([...decode1('scl', scl).classes], [N, N, 0, 2, 0, 0, 0, 0, 1, 1, 1, 0, N]);
});

test('Fmask classes: land, water, snow clear; shadow; cloud; fill', () => {
  assert.deepEqual([...decode1('fmask', [0, 1, 2, 3, 4, 255, 7]).classes], [0, 0, 2, 0, 1, N, N]);
});

test('plain masks keep 0/1/2 and make the rest nodata; the file nodata value is nodata', () => {
  assert.deepEqual([...decode1('plain', [0, 1, 2, 255, 7, 9], 9).classes], [0, 1, 2, N, N, N]);
});

test('s2cloudless probabilities threshold at 0.4 by default in every scale', () => {
  const f = decodeMask('s2cloudless', [Float32Array.from([0, 0.39, 0.4, 1, Number.NaN])], 5, 1);
  assert.deepEqual([...f.classes], [0, 0, 1, 1, N]);
  assert.equal(f.probability![1], Math.fround(0.39));
  assert.deepEqual([...decode1('s2cloudless-100', [39, 40, 100, 255]).classes], [0, 1, 1, N]);
  assert.deepEqual([...decode1('s2cloudless-255', [101, 102, 255]).classes], [0, 1, 1]);
  assert.deepEqual([...decodeMask('s2cloudless', [Float32Array.from([0.2, 0.6])], 2, 1, { threshold: 0.5 }).classes], [0, 1]);
});

test('autocm probabilities are percent with 255 nodata (or float 0-1) and a 0.5 default threshold', () => {
  const d = decode1('autocm-prob', [0, 49, 50, 100, 255]);
  assert.deepEqual([...d.classes], [0, 0, 1, 1, N]);
  assert.ok(Number.isNaN(d.probability![4]!));
  // predict --format float32 writes 0-1 with NaN nodata.
  const f = decodeMask('autocm-prob', [Float32Array.from([0.2, 0.5, Number.NaN])], 3, 1);
  assert.deepEqual([...f.classes], [0, 1, N]);
  assert.equal(f.probability![0], Math.fround(0.2));
});

test('UDM2: blackfill nodata, cloud and heavy haze cloud, shadow, light haze and snow clear', () => {
  // pixels: clear, snow, shadow, light haze, heavy haze, cloud, blackfill (udm1 bit 0), all-zero
  const band = (values: number[]) => Uint8Array.from(values);
  const bands = [
    band([1, 0, 0, 0, 0, 0, 0, 0]),
    band([0, 1, 0, 0, 0, 0, 0, 0]),
    band([0, 0, 1, 0, 0, 0, 0, 0]),
    band([0, 0, 0, 1, 0, 0, 0, 0]),
    band([0, 0, 0, 0, 1, 0, 0, 0]),
    band([0, 0, 0, 0, 0, 1, 0, 0]),
    band([90, 90, 90, 90, 90, 90, 0, 0]),
    band([0, 0, 0, 0, 0, 0, 1, 0]),
  ];
  assert.deepEqual([...decodeMask('udm2', bands, 8, 1).classes], [0, 0, 2, 0, 1, 1, N, N]);
});

test('format detection: unambiguous cases and an error that lists the formats', () => {
  const sample = (values: number[]) => ({ distinct: new Set(values), min: Math.min(...values), max: Math.max(...values) });
  const u8 = { bandCount: 1, sampleType: 'uint8' as const };
  assert.equal(detectMaskFormat('a/x_cloudprob.tif', u8, sample([0])), 'autocm-prob');
  assert.equal(detectMaskFormat('a/x_cloudmask.tif', u8, sample([0])), 'autocm-mask');
  assert.equal(detectMaskFormat('a/udm.tif', { bandCount: 8, sampleType: 'uint8' }, sample([0])), 'udm2');
  assert.equal(detectMaskFormat('a/LC08_QA_PIXEL.TIF', { bandCount: 1, sampleType: 'uint16' }, sample([21824])), 'qa-pixel');
  assert.equal(detectMaskFormat('a/q.tif', { bandCount: 1, sampleType: 'uint16' }, sample([1, 21824, 22280])), 'qa-pixel');
  assert.equal(detectMaskFormat('a/clp.tif', { bandCount: 1, sampleType: 'float32' }, sample([0, 0.7])), 's2cloudless');
  assert.equal(detectMaskFormat('a/mask_1.tif', u8, sample([0, 1, 2, 255])), 'plain');
  assert.equal(detectMaskFormat('a/mask_scl_2017.tif', u8, sample([0, 1, 2, 255])), 'plain');
  assert.equal(detectMaskFormat('a/T33_SCL_20m.tif', u8, sample([0, 4, 8, 11])), 'scl');
  assert.equal(detectMaskFormat('a/x_fmask.tif', u8, sample([0, 1, 4, 255])), 'fmask');
  assert.throws(() => detectMaskFormat('a/classes.tif', u8, sample([0, 3, 4, 9])), (e: Error) => {
    assert.match(e.message, /a\/classes\.tif/);
    assert.match(e.message, /udm2/);
    assert.match(e.message, /qa-pixel/);
    assert.match(e.message, /s2cloudless/);
    return true;
  });
});

test('shadow support per format (autocm masks say it in their metadata)', () => {
  assert.equal(formatHasShadow('fmask'), true);
  assert.equal(formatHasShadow('s2cloudless'), false);
  assert.equal(formatHasShadow('autocm-mask', { metadata: {} }), false);
  assert.equal(formatHasShadow('autocm-mask', { metadata: { AUTOCM_MASK_CLASSES: 'clear,cloud,shadow' } }), true);
});

test('the real Planet UDM2 sample is detected and decodes to its derived plain mask', async (t) => {
  const dir = sharedPath(t, 'data', 'planet-udm2-sample');
  if (!dir) return;
  const udm2 = await openMaskFile(`${dir}/20151119_025740_0c74_3B_udm2_clip.tif`);
  const plain = await openMaskFile(`${dir}/mask_20151119.tif`);
  try {
    assert.equal(udm2.format, 'udm2');
    assert.equal(plain.format, 'plain');
    const { width, height } = udm2.info;
    assert.deepEqual([width, height], [1578, 1352]);
    const counts = new Map<number, number>();
    for (let y = 0; y < height; y += 512) {
      const window = { x: 0, y, width, height: Math.min(512, height - y) };
      const a = await udm2.read(window);
      const b = await plain.read(window);
      for (let i = 0; i < a.classes.length; i++) {
        assert.equal(a.classes[i], b.classes[i], `pixel ${i} of rows from ${y}`);
        counts.set(a.classes[i]!, (counts.get(a.classes[i]!) ?? 0) + 1);
      }
    }
    // README: essentially clear, 1.7 % blackfill, no cloud or shadow.
    const blackfill = (counts.get(N) ?? 0) / (width * height);
    assert.ok(blackfill > 0.01 && blackfill < 0.025, `blackfill ${blackfill}`);
    assert.equal(counts.get(1) ?? 0, 0);
    assert.equal(counts.get(2) ?? 0, 0);
  } finally {
    await udm2.close();
    await plain.close();
  }
});

test('real Sen2Cor SCL layers decode to the shared data set derived masks', async (t) => {
  const dir = sharedPath(t, 'data', 'eolearn-s2-slovenia-ts', 'extra');
  if (!dir) return;
  for (const date of ['20170111', '20170220']) {
    const scl = await openMaskFile(`${dir}/scl_${date}.tif`);
    const plain = await openMaskFile(`${dir}/mask_scl_${date}.tif`);
    try {
      assert.equal(scl.format, 'scl');
      assert.equal(plain.format, 'plain');
      const window = { x: 0, y: 0, width: scl.info.width, height: scl.info.height };
      const a = await scl.read(window);
      const b = await plain.read(window);
      assert.deepEqual(a.classes, b.classes);
      assert.ok(a.classes.includes(1) || a.classes.includes(2), 'the winter scenes have cloud or shadow');
    } finally {
      await scl.close();
      await plain.close();
    }
  }
});
