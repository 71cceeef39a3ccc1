import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sunAnglesAt } from '../../../src/raster/products/sun-angles.js';
import { parseSentinel2Tile } from '../../../src/raster/products/sentinel2-metadata.js';
import { tileMetadata } from './sentinel2-fixtures.js';

const tile = parseSentinel2Tile(tileMetadata('L1C', []));
const product = {
  sunZenith: tile.meanSunZenith,
  sunAzimuth: tile.meanSunAzimuth,
  sunGrids: { zenith: tile.sunZenithGrid!, azimuth: tile.sunAzimuthGrid!, originX: 300000, originY: 5900040 },
};

test('sun angles at nodes, between nodes (bilinear), past the NaN node, and without a grid', () => {
  const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  close(sunAnglesAt(product, 300000, 5900040).zenith, 62.1);
  close(sunAnglesAt(product, 305000, 5895040).azimuth, 162.0);
  close(sunAnglesAt(product, 302500, 5900040).zenith, 62.05);
  close(sunAnglesAt(product, 302500, 5897540).zenith, (62.1 + 62.0 + 62.2 + 62.1) / 4);
  // The node (2, 2) is NaN: the three others carry the weight.
  close(sunAnglesAt(product, 307500, 5892540).zenith, (62.1 + 62.0 + 62.2) / 3);
  assert.deepEqual(sunAnglesAt({ sunZenith: 40, sunAzimuth: 150, sunGrids: null }, 0, 0), { zenith: 40, azimuth: 150 });
});

test('azimuth is interpolated as a direction across north', () => {
  const grid = { colStep: 5000, rowStep: 5000, values: [[359, 1]] };
  const angles = sunAnglesAt({ sunZenith: null, sunAzimuth: null, sunGrids: { zenith: { ...grid, values: [[50, 50]] }, azimuth: grid, originX: 0, originY: 0 } }, 2500, 0);
  assert.ok(Math.abs(angles.azimuth!) < 1e-9 || Math.abs(angles.azimuth! - 360) < 1e-9, String(angles.azimuth));
});
