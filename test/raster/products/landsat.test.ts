import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { expandInputs, inspectImage } from '../../../src/raster/inputs.js';
import { parseLandsatMtl } from '../../../src/raster/products/landsat-mtl.js';
import { PRODUCT_CLASS, qaPixelClasses, qaPixelFlags } from '../../../src/raster/products/landsat-qa-pixel.js';
import { AutocmError } from '../../../src/util/errors.js';
import { L1_PRODUCT, L2_PRODUCT, level1Groups, level2Groups, mtlJson, mtlText, mtlXml, writeBand } from './landsat-fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-landsat-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('Landsat Collection 2 MTL (values written by hand from the DFCBs)', () => {
  for (const [encoding, text] of [
    ['txt', mtlText(level2Groups())],
    ['xml', mtlXml(level2Groups())],
    ['json', mtlJson(level2Groups())],
  ] as const) {
    test(`Level-2 MTL.${encoding}: product, collection, level, sun angles, cloud cover, SR and L1 rescaling kept apart, band files, QA_PIXEL`, () => {
      const mtl = parseLandsatMtl(text, `x_MTL.${encoding}`);
      assert.equal(mtl.productId, L2_PRODUCT);
      assert.equal(mtl.collection, '02');
      assert.equal(mtl.level, 'L2SP');
      assert.equal(mtl.spacecraft, 'LANDSAT_9');
      assert.equal(mtl.sensor, 'OLI_TIRS');
      assert.equal(mtl.date, '2022-01-11T18:45:43.7170300Z');
      assert.equal(mtl.sunAzimuth, 155.38451423);
      assert.equal(mtl.sunElevation, 27.19457362);
      assert.equal(mtl.cloudCover, 3.17);
      assert.deepEqual(mtl.surfaceReflectance.get('B4'), { mult: 2.75e-5, add: -0.2 });
      assert.deepEqual(mtl.toaReflectance.get('B4'), { mult: 2.0e-5, add: -0.1 });
      assert.deepEqual(mtl.radiance.get('B2'), { mult: 1.2e-2 + 2e-4, add: -62 });
      assert.equal(mtl.bandFiles.get('SR_B5'), `${L2_PRODUCT}_SR_B5.TIF`);
      assert.equal(mtl.bandFiles.get('ST_B10'), `${L2_PRODUCT}_ST_B10.TIF`);
      assert.equal(mtl.qaPixelFile, `${L2_PRODUCT}_QA_PIXEL.TIF`);
    });
  }

  test('an unreadable MTL.json names the file', () => {
    assert.throws(() => parseLandsatMtl('{ not json', '/data/x_MTL.json'), (e: unknown) => e instanceof AutocmError && /x_MTL\.json: unreadable MTL/.test(e.message));
  });
});

describe('QA_PIXEL', () => {
  test('bits decode as the DFCB table: fill, dilated cloud, cirrus, cloud, shadow, snow, clear, water, confidences', () => {
    // 21824 = 0101 0101 0100 0000: clear, every confidence low (the commonest word of clear land)
    assert.deepEqual(qaPixelFlags(21824), { fill: false, dilatedCloud: false, cirrus: false, cloud: false, shadow: false, snow: false, clear: true, water: false, cloudConfidence: 1, shadowConfidence: 1, snowConfidence: 1, cirrusConfidence: 1 });
    const cloudy = qaPixelFlags(0b0101_0011_0000_1010);
    assert.equal(cloudy.cloud, true);
    assert.equal(cloudy.dilatedCloud, true);
    assert.equal(cloudy.cloudConfidence, 3);
    assert.equal(qaPixelFlags(1).fill, true);
    assert.equal(qaPixelFlags(1 << 4).shadow, true);
    assert.equal(qaPixelFlags(1 << 5).snow, true);
    assert.equal(qaPixelFlags(1 << 7).water, true);
    assert.equal(qaPixelFlags(3 << 14).cirrusConfidence, 3);
  });

  test('classes: fill -> nodata, cloud / dilated / cirrus -> cloud, shadow, snow, else clear', () => {
    const classes = qaPixelClasses([1, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6, 1 << 7]);
    assert.deepEqual([...classes], [PRODUCT_CLASS.nodata, 1, 1, 1, 2, 3, 0, 0]);
  });
});

describe('Landsat Collection 2 folders', () => {
  async function folderWith(name: string, mtl: { file: string; text: string }, product: string, prefix: string, skip: number[] = []): Promise<string> {
    const dir = join(workDir, name);
    mkdirSync(dir);
    writeFileSync(join(dir, mtl.file), mtl.text);
    for (const n of [1, 2, 3, 4, 5, 6, 7]) if (!skip.includes(n)) await writeBand(join(dir, `${product}_${prefix}B${n}.TIF`), (i) => 8000 + n * 100 + i);
    await writeBand(join(dir, `${product}_QA_PIXEL.TIF`), () => 21824);
    return dir;
  }

  test('Level-2 folder: band files from the MTL, surface reflectance scaling, sun angles, QA_PIXEL as the default mask', async () => {
    const dir = await folderWith('l2', { file: `${L2_PRODUCT}_MTL.xml`, text: mtlXml(level2Groups()) }, L2_PRODUCT, 'SR_');
    const refs = await expandInputs([dir]);
    assert.equal(refs.length, 1);
    const { image } = await inspectImage(refs[0]);
    assert.ok(image);
    assert.equal(image.sensor.id, 'landsat89-l2');
    assert.deepEqual(image.bandNames, ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2']);
    assert.deepEqual(image.bands.map((b) => [b.scale, b.offset]), new Array(7).fill([2.75e-5, -0.2]));
    assert.equal(image.product?.version, 'C02');
    assert.equal(image.product?.sunAzimuth, 155.38451423);
    assert.ok(Math.abs(image.product!.sunZenith! - (90 - 27.19457362)) < 1e-9);
    assert.equal(image.product?.mask?.format, 'qa-pixel');
    assert.equal(image.date?.toISOString(), '2022-01-11T18:45:43.717Z');
  });

  test('Level-1 folder: TOA reflectance = (MULT * DN + ADD) / sin(sun elevation) from the MTL.txt', async () => {
    const dir = await folderWith('l1', { file: `${L1_PRODUCT}_MTL.txt`, text: mtlText(level1Groups()) }, L1_PRODUCT, '');
    const [ref] = await expandInputs([dir]);
    const { image } = await inspectImage(ref);
    assert.equal(image?.sensor.id, 'landsat89-l1');
    const sine = Math.sin((27.19457362 * Math.PI) / 180);
    assert.ok(Math.abs(image!.bands[0].scale - 2e-5 / sine) < 1e-15);
    assert.ok(Math.abs(image!.bands[0].offset + 0.1 / sine) < 1e-12);
    assert.match(image!.scalingNote, /sin\(sun elevation 27\.19457362\)/);
  });

  test('the .tar as USGS delivers it is read in place: same bands, scaling and QA_PIXEL as the extracted folder', async () => {
    const dir = await folderWith('totar', { file: `${L2_PRODUCT}_MTL.txt`, text: mtlText(level2Groups()) }, L2_PRODUCT, 'SR_');
    const archive = join(workDir, `${L2_PRODUCT}.tar`);
    execFileSync('tar', ['cf', archive, '-C', dir, '.']);
    const [ref] = await expandInputs([archive]);
    assert.ok(ref.files[0].path.startsWith(`/vsitar/${archive}/`));
    const { image } = await inspectImage(ref);
    assert.ok(image);
    assert.equal(image.sensor.id, 'landsat89-l2');
    assert.deepEqual(image.bands.map((b) => [b.scale, b.offset]), new Array(7).fill([2.75e-5, -0.2]));
    assert.match(image.product?.mask?.path ?? '', /^\/vsitar\/.*_QA_PIXEL\.TIF$/);
    const source = await image.open();
    try {
      const { bands } = await source.readWindow({ x: 0, y: 0, width: 16, height: 16 });
      assert.deepEqual([bands[0][0], bands[6][255]], [8100, 8700 + 255]);
    } finally {
      await source.close();
    }
    const empty = join(workDir, 'empty.tar');
    execFileSync('tar', ['cf', empty, '-C', dir, `${L2_PRODUCT}_SR_B1.TIF`]);
    await assert.rejects(expandInputs([empty]), (e: unknown) => e instanceof AutocmError && /empty\.tar: the tar archive holds no Landsat product/.test(e.message));
  });

  test('an MTL whose band files are absent: one error naming the missing file', async () => {
    const dir = await folderWith('missing', { file: `${L2_PRODUCT}_MTL.json`, text: mtlJson(level2Groups()) }, L2_PRODUCT, 'SR_', [3, 4]);
    await assert.rejects(expandInputs([dir]), (e: unknown) => e instanceof AutocmError && /_SR_B3\.TIF: band file .*_SR_B3\.TIF named by .*_MTL\.json is missing \(and 1 more\)/.test(e.message));
  });
});
