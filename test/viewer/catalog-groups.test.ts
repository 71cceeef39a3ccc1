import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeCog } from '../../src/raster/cog-writer.js';
import { buildCatalog } from '../../src/viewer/catalog.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-view-groups-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const size = 32;
const georeference = { geoTransform: [500000, 10, 0, 4000000, 0, -10] as [number, number, number, number, number, number], epsg: 32633, geoKeys: null };

async function writeImage(path: string): Promise<void> {
  const band = () => new Uint16Array(size * size).map((_, i) => 1000 + i);
  await writeCog(path, { width: size, height: size, bandCount: 4, sampleType: 'uint16', georeference }, [band(), band(), band(), band()]);
}

async function writeProbability(path: string, value: number): Promise<void> {
  await writeCog(path, { width: size, height: size, bandCount: 1, sampleType: 'uint8', georeference }, [new Uint8Array(size * size).fill(value)]);
}

test('single-image and --stack probabilities of one date are two layers the page can swipe: as subfolders (the demo) and as separate inputs', async () => {
  const demo = join(dir, 'demo');
  await mkdir(join(demo, 'stack'), { recursive: true });
  await writeImage(join(demo, 'stack', 'img_20230101.tif'));
  for (const [run, value] of [['autocm', 20], ['autocm-stack', 80]] as const) {
    await mkdir(join(demo, 'predictions', run), { recursive: true });
    await writeProbability(join(demo, 'predictions', run, 'img_20230101_cloudprob.tif'), value);
  }
  const nested = (await buildCatalog([demo])).catalog;
  assert.equal(nested.images.length, 1);
  assert.deepEqual(Object.keys(nested.images[0]!.layers).sort(), ['predictions/autocm', 'predictions/autocm-stack']);

  // `autocm view stack/ single/ stacked/`: predictions at the top of each input are named by their folder, not merged.
  const single = join(dir, 'single');
  const stacked = join(dir, 'stacked');
  await mkdir(single);
  await mkdir(stacked);
  await writeProbability(join(single, 'img_20230101_cloudprob.tif'), 20);
  await writeProbability(join(stacked, 'img_20230101_cloudprob.tif'), 80);
  const { catalog, files } = await buildCatalog([join(demo, 'stack'), single, stacked]);
  const layers = catalog.images[0]!.layers;
  assert.deepEqual(Object.keys(layers).sort(), ['single', 'stacked']);
  assert.equal(files.find((f) => f.url === layers.single!.prob!.url)!.path, join(single, 'img_20230101_cloudprob.tif'));
  assert.equal(files.find((f) => f.url === layers.stacked!.prob!.url)!.path, join(stacked, 'img_20230101_cloudprob.tif'));

  // One input with images and predictions side by side keeps the old group name.
  const one = join(dir, 'one');
  await mkdir(one);
  await writeImage(join(one, 'img_20230101.tif'));
  await writeProbability(join(one, 'img_20230101_cloudprob.tif'), 20);
  assert.deepEqual(Object.keys((await buildCatalog([one])).catalog.images[0]!.layers), ['predictions']);
});
