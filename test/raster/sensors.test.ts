import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { dateFromName, imageDate, parseDateText } from '../../src/raster/dates.js';
import { imageBandScaling, parseMtl, reflectanceOf, sentinel2Baseline, toReflectance } from '../../src/raster/reflectance.js';
import {
  bandFromDescription,
  builtinSensor,
  chooseSensor,
  detectSensorCandidates,
  getSensorProfile,
  identifyBands,
  listSensorIds,
  validateSensorProfile,
} from '../../src/raster/sensors.js';
import { AutocmError } from '../../src/util/errors.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-sensors-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function fakeInfo(source: string, bandCount: number, bandDescriptions: string[] = [], metadata: Record<string, string> = {}) {
  return { source, bandCount, bandDescriptions: bandDescriptions.length ? bandDescriptions : new Array<string>(bandCount).fill(''), metadata };
}

describe('built-in profiles', () => {
  test('the issue profiles exist, and every profile passes the user-profile validator unchanged', () => {
    for (const id of ['planetscope4', 'planetscope8', 'sentinel2-l1c', 'sentinel2-l2a', 'landsat89-l1', 'landsat89-l2']) assert.ok(listSensorIds().includes(id), id);
    for (const id of listSensorIds()) {
      const profile = getSensorProfile(id);
      assert.deepEqual(validateSensorProfile(JSON.parse(JSON.stringify(profile)), `${id}.json`), profile, id);
      for (const common of profile.modelBands) assert.ok(profile.bands.some((b) => b.common === common), `${id}: model band ${common}`);
    }
  });

  test('model bands are Blue, Green, Red, NIR and map to the right product bands', () => {
    const expect: Record<string, string[]> = {
      planetscope4: ['B1', 'B2', 'B3', 'B4'],
      planetscope8: ['B2', 'B4', 'B6', 'B8'],
      'sentinel2-l1c': ['B02', 'B03', 'B04', 'B08'],
      'sentinel2-l2a': ['B02', 'B03', 'B04', 'B08'],
      'landsat89-l1': ['B2', 'B3', 'B4', 'B5'],
      'landsat89-l2': ['B2', 'B3', 'B4', 'B5'],
    };
    for (const [id, names] of Object.entries(expect)) {
      const profile = builtinSensor(id)!;
      assert.deepEqual(profile.modelBands, ['blue', 'green', 'red', 'nir'], id);
      assert.deepEqual(profile.modelBands.map((c) => profile.bands.find((b) => b.common === c)!.name), names, id);
    }
  });

  test('reflectance scaling of the profiles: DN/10000, Landsat C2 L2 0.0000275 DN - 0.2, L1 2e-5 DN - 0.1', () => {
    const red = (id: string) => builtinSensor(id)!.bands.find((b) => b.common === 'red')!;
    assert.deepEqual([red('planetscope4').scale, red('planetscope4').offset], [1e-4, 0]);
    assert.deepEqual([red('sentinel2-l2a').scale, red('sentinel2-l2a').offset], [1e-4, 0]);
    assert.deepEqual([red('landsat89-l2').scale, red('landsat89-l2').offset], [0.0000275, -0.2]);
    assert.deepEqual([red('landsat89-l1').scale, red('landsat89-l1').offset], [2e-5, -0.1]);
    assert.equal(builtinSensor('landsat457-sr')!.nodata, -9999);
  });
});

describe('sensor detection', () => {
  const cases: [string, number, string][] = [
    ['20170719_101520_1004_3B_AnalyticMS.tif', 4, 'planetscope4'],
    ['20230312_093012_45_24a3_3B_AnalyticMS_SR_8b.tif', 8, 'planetscope8'],
    ['20230312_093012_45_24a3_3B_AnalyticMS_SR.tif', 8, 'planetscope8'],
    ['S2A_MSIL1C_20170216T102101_N0204_R065_T33UUU_20170216T102204.tif', 13, 'sentinel2-l1c'],
    ['T32TQM_20170216T101021_B02.tif', 1, 'sentinel2-l1c'],
    ['S2B_MSIL2A_20220301T101839_N0400_R065_T32TQM_20220301T130011.tif', 12, 'sentinel2-l2a'],
    ['T32TQM_20220301T101839_B04_10m.tif', 1, 'sentinel2-l2a'],
    ['LC08_L2SP_044034_20210508_20210517_02_T1_SR_B4.TIF', 1, 'landsat89-l2'],
    ['LC09_L1TP_044034_20220101_20220102_02_T1_B4.TIF', 1, 'landsat89-l1'],
    ['LT05_L2SP_035032_20090609_20200827_02_T1.tif', 6, 'landsat457-l2'],
    ['LE07_L1TP_035032_20090609_20200827_02_T1.tif', 7, 'landsat457-l1'],
  ];
  for (const [name, bands, expected] of cases) {
    test(`${name} -> ${expected}`, () => {
      const info = fakeInfo(`/data/${name}`, bands);
      const candidates = detectSensorCandidates(info);
      assert.ok(candidates.length > 0, 'some profile matches');
      if (bands > 1) assert.equal(chooseSensor(info, undefined).profile.id, expected);
      else assert.equal(candidates[0].id, expected);
    });
  }

  test('metadata names the sensor when the file name does not', () => {
    assert.equal(chooseSensor(fakeInfo('/x/img_1.tif', 4, [], { sensor: 'Sentinel-2 MSI L1C' }), undefined).profile.id, 'sentinel2-l1c');
    assert.equal(chooseSensor(fakeInfo('/x/img_1.tif', 4, [], { scene: 'LC80130312015295LGN00', scale: 'TOA reflectance x10000' }), undefined).profile.id, 'landsat89-toa');
    assert.equal(chooseSensor(fakeInfo('/x/img_1.tif', 3, ['red', 'nir', 'swir1'], { scene_id: 'LT50350322009160PAC01', scale: 'surface reflectance = value / 10000' }), undefined).profile.id, 'landsat457-sr');
  });

  test('nothing to go on: the error lists the profiles and --sensor', () => {
    assert.throws(
      () => chooseSensor(fakeInfo('/x/scene.tif', 4), undefined),
      (error: unknown) => error instanceof AutocmError && /\/x\/scene\.tif: cannot tell the sensor/.test(error.message) && /--sensor/.test(error.message) && /planetscope4, /.test(error.message) && /landsat89-l2/.test(error.message),
    );
  });

  test('wrong band count for the sensor names the file, the expected and the found count', () => {
    assert.throws(
      () => identifyBands(getSensorProfile('planetscope4'), fakeInfo('/x/ps.tif', 5)),
      (error: unknown) => error instanceof AutocmError && error.message === '/x/ps.tif: wrong band count for sensor planetscope4: expected 4 (B1, B2, B3, B4) bands, found 5',
    );
    assert.throws(() => getSensorProfile('landsat-42'), /unknown sensor "landsat-42": use one of planet-udm2, .*sentinel2-l1c/);
  });

  test('band descriptions name bands by product name, common name or alias', () => {
    const s2 = getSensorProfile('sentinel2-l1c');
    assert.equal(bandFromDescription(s2, 'B08 nir')!.name, 'B08');
    assert.equal(bandFromDescription(s2, 'B8A')!.name, 'B8A');
    assert.equal(bandFromDescription(s2, 'swir16')!.name, 'B11');
    const tm = getSensorProfile('landsat457-l1');
    assert.deepEqual(
      identifyBands(tm, fakeInfo('/x/l7.tif', 6, ['ETM+ 1 blue', 'ETM+ 2 green', 'ETM+ 3 red', 'ETM+ 4 nir', 'ETM+ 5 swir1', 'ETM+ 7 swir2'])).map((b) => b.name),
      ['B1', 'B2', 'B3', 'B4', 'B5', 'B7'],
    );
    // Undescribed bands take the layout with that band count.
    assert.deepEqual(identifyBands(s2, fakeInfo('/x/s2.tif', 4)).map((b) => b.common), ['blue', 'green', 'red', 'nir']);
    assert.deepEqual(identifyBands(getSensorProfile('landsat89-l2'), fakeInfo('/x/l8.tif', 2, ['SR_B4', 'SR_B5'])).map((b) => b.name), ['B4', 'B5']);
  });
});

describe('user-defined profiles', () => {
  test('a small JSON profile loads with defaults filled in', () => {
    const path = join(workDir, 'rapideye.json');
    writeFileSync(path, JSON.stringify({ id: 'rapideye', bands: [{ name: 'B1', common: 'blue', scale: 0.01 }, { name: 'B2', common: 'green' }, { name: 'B3', common: 'red' }, { name: 'B4', common: 'rededge' }, { name: 'B5', common: 'nir' }], nodata: 0 }));
    const profile = getSensorProfile(path);
    assert.equal(profile.id, 'rapideye');
    assert.deepEqual(profile.modelBands, ['blue', 'green', 'red', 'nir']);
    assert.deepEqual(profile.layouts, [['B1', 'B2', 'B3', 'B4', 'B5']]);
    assert.deepEqual([profile.bands[0].scale, profile.bands[1].scale, profile.bands[1].offset], [0.01, 1, 0]);
    assert.deepEqual(chooseSensor(fakeInfo('/x/re.tif', 5), path).bands.map((b) => b.common), ['blue', 'green', 'red', 'rededge', 'nir']);
  });

  const bad: [string, string, RegExp][] = [
    ['not-json.json', '{ id: 1', /not valid JSON/],
    ['no-bands.json', '{"id":"x"}', /"bands" must be a non-empty array/],
    ['bad-scale.json', '{"id":"x","bands":[{"name":"B1","scale":"big"}]}', /bands\[0\]\.scale must be a finite non-zero number/],
    ['dup.json', '{"id":"x","bands":[{"name":"B1","common":"red"},{"name":"B2","common":"red"}]}', /bands\[1\]\.common "red" appears twice/],
    ['model.json', '{"id":"x","bands":[{"name":"B1","common":"red"}],"modelBands":["nir"]}', /"modelBands" must list common names/],
    ['extra.json', '{"id":"x","bands":[{"name":"B1"}],"scael":1}', /"scael" is not a profile field/],
    ['regex.json', '{"id":"x","bands":[{"name":"B1"}],"fileNamePatterns":["("]}', /invalid regular expression/],
  ];
  for (const [name, text, message] of bad) {
    test(`invalid profile ${name} is refused with a clear message naming the file`, () => {
      const path = join(workDir, name);
      writeFileSync(path, text);
      assert.throws(() => getSensorProfile(path), (error: unknown) => error instanceof AutocmError && error.message.startsWith(path) && message.test(error.message));
    });
  }
  test('a missing profile file says so', () => {
    assert.throws(() => getSensorProfile(join(workDir, 'absent.json')), /absent\.json: sensor profile file not found/);
  });
});

describe('reflectance', () => {
  test('toReflectance: DN * scale + offset, NaN at nodata and at non-finite input', () => {
    const out = toReflectance({ scale: 1e-4, offset: -0.1 }, new Uint16Array([0, 1000, 2500, 65535]), 0);
    assert.ok(Number.isNaN(out[0]));
    assert.deepEqual(Array.from(out.slice(1)), [0, 0.15, 6.4535].map(Math.fround));
    const floats = toReflectance({ scale: 1, offset: 0 }, new Float32Array([0.5, Number.NaN, Infinity, -9999]), -9999);
    assert.equal(floats[0], 0.5);
    assert.ok(Number.isNaN(floats[1]) && Number.isNaN(floats[2]) && Number.isNaN(floats[3]));
    const convert = reflectanceOf({ bands: [{ scale: 1e-4, offset: 0 }, { scale: 0.0000275, offset: -0.2 }], nodata: 0 });
    const [b1] = convert([new Uint16Array([0, 10000])], [1]);
    assert.ok(Number.isNaN(b1[0]));
    assert.equal(b1[1], Math.fround(0.075));
  });

  test('Sentinel-2 baseline >= 04.00 from the product name or metadata gives (DN - 1000) / 10000', () => {
    assert.equal(sentinel2Baseline({}, ['S2B_MSIL2A_20220301T101839_N0400_R065_T32TQM_20220301T130011.tif']).baseline, 4);
    assert.equal(sentinel2Baseline({}, ['S2A_MSIL1C_20170216T102101_N0204_R065_T33UUU_20170216T102204.tif']).baseline, 2.04);
    assert.equal(sentinel2Baseline({ PROCESSING_BASELINE: '05.09' }, []).baseline, 5.09);
    assert.equal(sentinel2Baseline({}, ['img.tif']).baseline, null);
    const profile = getSensorProfile('sentinel2-l2a');
    const red = profile.bands.filter((b) => b.common === 'red');
    const new_ = imageBandScaling(profile, red, {}, ['S2B_MSIL2A_20220301T101839_N0400_R065_T32TQM_20220301T130011.tif']);
    assert.equal(toReflectance(new_.bands[0], new Uint16Array([2500]), 0)[0], Math.fround(0.15));
    const old = imageBandScaling(profile, red, {}, ['img_20170216.tif']);
    assert.equal(toReflectance(old.bands[0], new Uint16Array([2500]), 0)[0], Math.fround(0.25));
    assert.match(old.note, /assumed before 04\.00/);
  });

  test('Landsat L1: MTL REFLECTANCE_MULT/ADD over sin(sun elevation), from MTL.txt or MTL.json beside the band file', () => {
    const dir = mkdtempSync(join(workDir, 'mtl-'));
    const product = 'LC09_L1TP_044034_20220101_20220102_02_T1';
    writeFileSync(join(dir, `${product}_MTL.txt`), ['GROUP = LEVEL1_RADIOMETRIC_RESCALING', '    REFLECTANCE_MULT_BAND_4 = 2.0000E-05', '    REFLECTANCE_ADD_BAND_4 = -0.100000', 'END_GROUP', '    SUN_ELEVATION = 30.00000000'].join('\n'));
    const profile = getSensorProfile('landsat89-l1');
    const b4 = profile.bands.filter((b) => b.name === 'B4');
    const scaled = imageBandScaling(profile, b4, {}, [join(dir, `${product}_B4.TIF`)]);
    assert.ok(Math.abs(scaled.bands[0].scale - 4e-5) < 1e-12 && Math.abs(scaled.bands[0].offset + 0.2) < 1e-9, JSON.stringify(scaled.bands[0]));
    assert.match(scaled.note, /_MTL\.txt/);
    const json = parseMtl(JSON.stringify({ LANDSAT_METADATA_FILE: { LEVEL1_RADIOMETRIC_RESCALING: { REFLECTANCE_MULT_BAND_5: '2.0000E-05', REFLECTANCE_ADD_BAND_5: '-0.100000' }, IMAGE_ATTRIBUTES: { SUN_ELEVATION: '45' } } }), 'x_MTL.json');
    assert.deepEqual([json.mult.get('B5'), json.add.get('B5'), json.sunElevation], [2e-5, -0.1, 45]);
    const none = imageBandScaling(profile, b4, {}, [join(workDir, 'LC09_elsewhere_B4.TIF')]);
    assert.deepEqual([none.bands[0].scale, none.bands[0].offset], [2e-5, -0.1]);
  });
});

describe('dates', () => {
  const names: [string, string | null][] = [
    ['20170719_101520_1004_3B_AnalyticMS.tif', '2017-07-19T10:15:20.000Z'],
    ['20151119_025740_0c74_3B_udm2_clip.tif', '2015-11-19T02:57:40.000Z'],
    ['633841_1932520_2017-07-19_1004.tif', '2017-07-19T00:00:00.000Z'],
    ['S2A_MSIL1C_20170216T102101_N0204_R065_T33UUU_20170216T102204.tif', '2017-02-16T10:21:01.000Z'],
    ['T32TQM_20170216T101021_B02.tif', '2017-02-16T10:10:21.000Z'],
    ['LC09_L2SP_044034_20220103_20220104_02_T1_SR_B4.TIF', '2022-01-03T00:00:00.000Z'],
    ['LC80130312015295LGN00', '2015-10-22T00:00:00.000Z'],
    ['img_20090609_LT5.tif', '2009-06-09T00:00:00.000Z'],
    ['img_L7_ETMs.tif', null],
    ['img_20171345.tif', null],
  ];
  for (const [name, iso] of names) {
    test(`date of ${name}`, () => assert.equal(dateFromName(name)?.toISOString() ?? null, iso));
  }
  test('metadata before file name before the TIFF DateTime tag', () => {
    assert.deepEqual(imageDate({ ACQUISITIONDATETIME: '2020-05-01T10:00:00Z', TIFFTAG_DATETIME: '2021:01:01 00:00:00' }, ['img_20190101.tif']), { date: new Date('2020-05-01T10:00:00Z'), dateSource: 'tiff-tag' });
    assert.deepEqual(imageDate({ TIFFTAG_DATETIME: '2021:01:01 00:00:00' }, ['img_20190101.tif']), { date: new Date('2019-01-01T00:00:00Z'), dateSource: 'file-name' });
    assert.deepEqual(imageDate({ TIFFTAG_DATETIME: '2021:01:01 12:30:00' }, ['scene.tif']), { date: new Date('2021-01-01T12:30:00Z'), dateSource: 'tiff-tag' });
    assert.deepEqual(imageDate({ DATE_ACQUIRED: '2022-01-03', SCENE_CENTER_TIME: '"18:42:01.1234560Z"' }, []).date, new Date('2022-01-03T18:42:01Z'));
    assert.equal(parseDateText('2017-02-16T10:21:01+01:00')!.toISOString(), '2017-02-16T09:21:01.000Z');
    assert.deepEqual(imageDate({}, ['x.tif']), { date: null, dateSource: 'none' });
    // A product id in the metadata (Planet item id with its time) beats the plain file-name date.
    assert.deepEqual(imageDate({ item: '20170915_020728_103d (PSScene4Band 3B AnalyticMS)', scale: 'x10000 20170101' }, ['img_20170915_103d.tif']).date, new Date('2017-09-15T02:07:28Z'));
    assert.deepEqual(imageDate({ scale: 'value 20170101' }, ['img_20170915.tif']).date, new Date('2017-09-15T00:00:00Z'));
  });
});
