/** Real inputs for the queue tests: crops of real imagery (gdal_translate -srcwin) and a real U-Net model file. */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { unetLayers, unetSpec, parameterSpecs } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { saveModel, type ModelFile } from '../../src/model/weights.js';
import { version } from '../../src/version.js';

/** A 4-band (blue, green, red, NIR) U-Net with Keras-default initial weights: a real network, deterministic. */
export async function writeTestModel(path: string, bandNames: string[], seed = 7): Promise<void> {
  const spec = unetSpec(bandNames.length);
  const layers = unetLayers(spec);
  const tensors = initParameters(layers, seed);
  const shapes = new Map(parameterSpecs(layers).map((p) => [p.name, p.shape]));
  const model: ModelFile = {
    metadata: {
      format: 'autocm-model',
      formatVersion: 1,
      autocmVersion: version,
      sensor: null,
      bands: bandNames,
      normalisation: { mode: 'stretch', lowPercentile: 2, highPercentile: 98 },
      architecture: 'autocm-unet',
      inputBands: bandNames.length,
      source: 'test: Keras-default initialisation',
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    tensors,
    shapes,
  };
  await saveModel(path, model);
}

/** A crop of a real image: columns [x, x+width), rows [y, y+height). */
export async function cropImage(source: string, target: string, x: number, y: number, width: number, height: number): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  execFileSync('gdal_translate', ['-q', '-srcwin', String(x), String(y), String(width), String(height), '-co', 'TILED=YES', source, target], { stdio: 'ignore' });
}
