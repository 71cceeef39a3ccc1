import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { importKerasCheckpoint } from '../../src/model/keras-import.js';
import { predictImages } from '../../src/predict/predict-images.js';
import { openRaster } from '../../src/raster/open.js';
import { synthesiseToFolder } from '../../src/synth/write-folder.js';
import { loadBrowserModel } from '../../src/viewer/browser-model.js';
import { buildCatalog } from '../../src/viewer/catalog.js';
import { startViewerServer } from '../../src/viewer/server.js';
import { launchChromium } from '../helpers/browser.js';
import { repoRoot, sharedPath } from '../helpers/shared-data.js';

let browser: Browser | undefined;
let server: Server | undefined;
let dir: string | undefined;

after(async () => {
  await browser?.close();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Fraction of pixels whose RGBA differs between two screenshots of the same size. */
function changedFraction(a: Buffer, b: Buffer): number {
  const pa = PNG.sync.read(a);
  const pb = PNG.sync.read(b);
  assert.equal(pa.width, pb.width);
  let changed = 0;
  for (let i = 0; i < pa.data.length; i += 4) {
    if (pa.data[i] !== pb.data[i] || pa.data[i + 1] !== pb.data[i + 1] || pa.data[i + 2] !== pb.data[i + 2]) changed++;
  }
  return changed / (pa.width * pa.height);
}

async function mapShot(page: Page): Promise<Buffer> {
  // Let tiles load and the WebGL layers draw.
  await page.waitForTimeout(1500);
  return page.locator('#map').screenshot();
}

test('the viewer shows a stack in a real browser: dates, mask overlay, in-browser masking equal to the CLI', async (t) => {
  const checkpoint = sharedPath(t, 'reference', 'u_model_autocm.index');
  if (!checkpoint) return;
  dir = await mkdtemp(join(tmpdir(), 'autocm-viewer-'));
  const stackDir = join(dir, 'stack');
  await synthesiseToFolder(stackDir, { size: 160, dates: 3, sensor: 'planetscope4', seed: 11, quiet: true });
  const modelPath = join(dir, 'authors.safetensors');
  await importKerasCheckpoint(checkpoint.replace(/\.index$/, ''), modelPath);
  const images = (await readdir(stackDir)).filter((name) => /^img_.*\.tif$/.test(name)).map((name) => join(stackDir, name));
  const predicted = await predictImages(images, { model: modelPath, outputDirectory: join(stackDir, 'predictions'), quiet: true });
  assert.equal(predicted.images.length, 3);
  // The CLI's float32 probability of the second date, outside the served folder, for the comparison.
  const second = predicted.images[1]!.input;
  await predictImages([second], { model: modelPath, outputDirectory: join(dir, 'float'), format: 'float32', quiet: true });

  const { catalog, files, reportRoots } = await buildCatalog([stackDir]);
  assert.equal(catalog.images.length, 3);
  assert.ok(catalog.images.every((image) => image.layers.predictions?.mask && image.layers.reference?.mask));
  // The page normalises a reflectance model with the image's own sensor (PlanetScope: DN / 10000).
  assert.deepEqual(catalog.images[0]!.bandNames, ['blue', 'green', 'red', 'nir']);
  assert.deepEqual(catalog.images[0]!.reflectanceScaling, [[1e-4, 0], [1e-4, 0], [1e-4, 0], [1e-4, 0]]);
  const model = await loadBrowserModel(modelPath);
  const started = await startViewerServer({ catalog, files, reportRoots, model }, 0, '127.0.0.1');
  server = started.server;

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(started.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const firstDate = await page.getAttribute('body', 'data-date');
  assert.equal(firstDate, catalog.images[0]!.date);

  // The date slider changes the displayed date.
  await page.locator('#date-slider').fill('1');
  await page.waitForFunction((date) => document.body.dataset.date === date, catalog.images[1]!.date);
  assert.match((await page.textContent('#status')) ?? '', new RegExp(`showing ${catalog.images[1]!.date}`));

  // Toggling the mask overlay changes the pixels.
  await page.selectOption('#overlay-left', 'reference:mask');
  const withMask = await mapShot(page);
  await page.selectOption('#overlay-left', 'none');
  const withoutMask = await mapShot(page);
  const changed = changedFraction(withMask, withoutMask);
  assert.ok(changed > 0.01, `toggling the mask changed only ${changed} of the pixels`);

  // The error map draws the prediction and the truth in one layer: their tiling must agree.
  assert.equal(catalog.images[1]!.layers.predictions!.mask!.tileLayout, catalog.images[1]!.layers.reference!.mask!.tileLayout);
  await page.selectOption('#overlay-left', 'predictions:errors');
  assert.ok(changedFraction(await mapShot(page), withoutMask) > 0.001, 'the error map is drawn');
  assert.match((await page.textContent('#status')) ?? '', new RegExp(`^showing ${catalog.images[1]!.date}$`));

  // In-browser masking with onnxruntime-web gives the CLI's probabilities.
  await page.click('#mask-current');
  await page.waitForFunction(() => /browser mask done/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
  const browserResult = (await page.evaluate(() => (window as unknown as { autocmBrowserPrediction: unknown }).autocmBrowserPrediction)) as {
    width: number;
    height: number;
    probability: (number | null)[];
  };
  const cli = await openRaster(join(dir, 'float', `${predicted.images[1]!.id}_cloudprob.tif`));
  const cliData = (await cli.readWindow({ x: 0, y: 0, width: cli.info.width, height: cli.info.height })).bands[0]!;
  await cli.close();
  assert.equal(browserResult.width, cli.info.width);
  // Every pixel: nodata (NaN) must be nodata on both sides, the rest must agree.
  let maxDifference = 0;
  let nodataMismatches = 0;
  for (let i = 0; i < cliData.length; i++) {
    const b = browserResult.probability[i];
    const c = cliData[i]!;
    const browserNodata = b === null || b === undefined || !Number.isFinite(b);
    if (browserNodata !== !Number.isFinite(c)) nodataMismatches++;
    else if (!browserNodata) maxDifference = Math.max(maxDifference, Math.abs(b! - c));
  }
  t.diagnostic(`browser vs CLI: max probability difference ${maxDifference.toExponential(2)} over ${cliData.length} pixels, ${nodataMismatches} nodata mismatches`);
  assert.equal(browserResult.probability.length, cliData.length);
  assert.equal(nodataMismatches, 0);
  // Same preprocessing (src/predict/model-input.ts) and graph; onnxruntime-web (wasm) and -node sum in
  // another order: measured 6e-6 (2026-12-01). About 10x that: a preprocessing difference (scaling,
  // band order, pad) moves probabilities by 1e-2 or more.
  assert.ok(maxDifference <= 6e-5, `max difference ${maxDifference}`);
  const overlay = await mapShot(page);
  assert.ok(changedFraction(overlay, withoutMask) > 0.01, 'the browser prediction overlay is visible');

  const artifacts = join(repoRoot, 'test-output');
  await mkdir(artifacts, { recursive: true });
  await writeFile(join(artifacts, 'viewer.png'), await page.screenshot());
  assert.deepEqual(consoleErrors, []);
});
