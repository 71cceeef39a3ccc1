import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeCog } from '../../../src/raster/cog-writer.js';
import { expandInputs, inspectImage } from '../../../src/raster/inputs.js';
import { parsePlanetJson, parsePlanetXml } from '../../../src/raster/products/planet-metadata.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-planet-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const coefficients = [2.0155e-5, 2.1321e-5, 2.4038e-5, 3.5897e-5];

/** An AnalyticMS metadata XML written by hand after the Planet Imagery Product Specification (ps:EarthObservation). */
function analyticXml(scene: string, bands: number[] = coefficients): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ps:EarthObservation xmlns:opt="http://earth.esa.int/opt" xmlns:gml="http://www.opengis.net/gml" xmlns:eop="http://earth.esa.int/eop" xmlns:ps="http://schemas.planet.com/ps/v1/planet_product_metadata_geocorrected_level">
  <gml:metaDataProperty><ps:EarthObservationMetaData><eop:identifier>${scene}_3B_AnalyticMS</eop:identifier><eop:productType>L3B</eop:productType></ps:EarthObservationMetaData></gml:metaDataProperty>
  <gml:validTime><gml:TimePeriod><gml:beginPosition>2017-07-19T10:15:20+00:00</gml:beginPosition></gml:TimePeriod></gml:validTime>
  <gml:using>
    <eop:EarthObservationEquipment>
      <eop:platform><eop:Platform><eop:shortName>PlanetScope</eop:shortName><eop:serialIdentifier>1004</eop:serialIdentifier><eop:orbitType>LEO</eop:orbitType></eop:Platform></eop:platform>
      <eop:instrument><eop:Instrument><eop:shortName>PS2</eop:shortName></eop:Instrument></eop:instrument>
      <eop:acquisitionParameters>
        <ps:Acquisition>
          <eop:orbitDirection>DESCENDING</eop:orbitDirection>
          <eop:incidenceAngle uom="deg">1.123</eop:incidenceAngle>
          <opt:illuminationAzimuthAngle uom="deg">1.412346e+02</opt:illuminationAzimuthAngle>
          <opt:illuminationElevationAngle uom="deg">5.761234e+01</opt:illuminationElevationAngle>
          <ps:azimuthAngle uom="deg">1.0e+02</ps:azimuthAngle>
          <ps:spaceCraftViewAngle uom="deg">2.1e+00</ps:spaceCraftViewAngle>
          <ps:acquisitionDateTime>2017-07-19T10:15:20.123456+00:00</ps:acquisitionDateTime>
        </ps:Acquisition>
      </eop:acquisitionParameters>
    </eop:EarthObservationEquipment>
  </gml:using>
  <gml:resultOf>
    <ps:EarthObservationResult>
      <eop:product><ps:ProductInformation><eop:fileName>${scene}_3B_AnalyticMS.tif</eop:fileName><ps:productType>L3B</ps:productType><ps:numBands>4</ps:numBands></ps:ProductInformation></eop:product>
      <opt:cloudCoverPercentage uom="percentage">3.0</opt:cloudCoverPercentage>
      <ps:aFutureField>ignored</ps:aFutureField>
${bands.map((c, i) => `      <ps:bandSpecificMetadata><ps:bandNumber>${i + 1}</ps:bandNumber><ps:radiometricScaleFactor>0.01</ps:radiometricScaleFactor><ps:reflectanceCoefficient>${c}</ps:reflectanceCoefficient></ps:bandSpecificMetadata>`).join('\n')}
    </ps:EarthObservationResult>
  </gml:resultOf>
</ps:EarthObservation>
`;
}

function sceneJson(scene: string): string {
  return JSON.stringify({ id: scene, type: 'Feature', properties: { acquired: '2023-03-12T09:30:12.45Z', cloud_cover: 0.12, sun_azimuth: 150.2, sun_elevation: 35.5, satellite_id: '24a3', item_type: 'PSScene', a_new_property: [1, 2] } });
}

async function tif(path: string, bands: number, value: number): Promise<void> {
  const data = Array.from({ length: bands }, (_, b) => new Uint16Array(64).fill(value + b));
  await writeCog(path, { width: 8, height: 8, bandCount: bands, sampleType: bands === 8 ? 'uint8' : 'uint16', georeference: { geoTransform: [600000, 3, 0, 5000000, 0, -3], epsg: 32632, geoKeys: null } }, bands === 8 ? data.map((d) => Uint8Array.from(d, (v) => v % 2)) : data);
}

describe('PlanetScope metadata (values written by hand from the product specification)', () => {
  test('AnalyticMS XML: acquisition time, sun azimuth / elevation, cloud cover, per-band reflectance coefficients; unknown elements ignored', () => {
    const m = parsePlanetXml(analyticXml('20170719_101520_1004'));
    assert.equal(m.acquired, '2017-07-19T10:15:20.123456+00:00');
    assert.equal(m.sunAzimuth, 141.2346);
    assert.equal(m.sunElevation, 57.61234);
    assert.equal(m.cloudCover, 3);
    assert.equal(m.platform, 'PlanetScope');
    assert.equal(m.productType, 'L3B');
    assert.deepEqual(m.bands.map((b) => b.reflectanceCoefficient), coefficients);
    assert.equal(m.bands[0].radiometricScaleFactor, 0.01);
  });

  test('scene metadata.json: sun angles, cloud cover 0-1 as percent; unknown properties ignored', () => {
    const m = parsePlanetJson(sceneJson('x'), 'x_metadata.json');
    assert.equal(m.sunAzimuth, 150.2);
    assert.equal(m.sunElevation, 35.5);
    assert.equal(m.cloudCover, 12);
    assert.equal(m.acquired, '2023-03-12T09:30:12.45Z');
  });
});

describe('PlanetScope orders', () => {
  test('scenes found in the nested order folder, paired by scene id with their XML, metadata.json and UDM2; radiance -> TOA with the XML coefficients; SR preferred', async () => {
    const order = join(workDir, 'order');
    const folder = join(order, 'files', 'PSScene');
    mkdirSync(folder, { recursive: true });
    const a = '20170719_101520_1004';
    const b = '20230312_093012_45_24a3';
    await tif(join(folder, `${a}_3B_AnalyticMS_clip.tif`), 4, 5000);
    writeFileSync(join(folder, `${a}_3B_AnalyticMS_metadata_clip.xml`), analyticXml(a));
    await tif(join(folder, `${a}_3B_udm2_clip.tif`), 8, 1);
    await tif(join(folder, `${b}_3B_AnalyticMS_SR_clip.tif`), 4, 800);
    await tif(join(folder, `${b}_3B_AnalyticMS_clip.tif`), 4, 5000);
    writeFileSync(join(folder, `${b}_metadata.json`), sceneJson(b));
    const refs = await expandInputs([order]);
    assert.deepEqual(refs.map((r) => r.id), [a, b]);
    const [first, second] = await Promise.all(refs.map(async (r) => (await inspectImage(r)).image!));
    assert.equal(first.sensor.id, 'planetscope4');
    assert.deepEqual(first.bands.map((band) => band.scale), coefficients);
    assert.match(first.scalingNote, /reflectanceCoefficient/);
    assert.equal(first.product?.sunAzimuth, 141.2346);
    assert.ok(Math.abs(first.product!.sunZenith! - (90 - 57.61234)) < 1e-9);
    assert.equal(first.product?.mask?.format, 'udm2');
    assert.ok(first.product?.mask?.path.endsWith(`${a}_3B_udm2_clip.tif`));
    assert.equal(first.date?.toISOString(), '2017-07-19T10:15:20.123Z');
    assert.ok(second.source.endsWith(`${b}_3B_AnalyticMS_SR_clip.tif`));
    assert.deepEqual(second.bands.map((band) => band.scale), [1e-4, 1e-4, 1e-4, 1e-4]);
    assert.equal(second.product?.sunAzimuth, 150.2);
    assert.equal(second.product?.cloudCover, 12);
    assert.equal(second.product?.mask, null);
  });
});
