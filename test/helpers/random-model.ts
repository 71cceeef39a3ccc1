import { parameterSpecs, unetLayers, unetSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { type ModelFile } from '../../src/model/weights.js';
import { createRandom } from '../../src/util/random.js';

/** A U-Net model of `bands` input bands with seeded random weights. */
export function randomModel(bands: number, seed = 42): ModelFile {
  const layers = unetLayers(unetSpec(bands));
  return {
    metadata: {
      format: 'autocm-model',
      formatVersion: 1,
      autocmVersion: 'test',
      sensor: null,
      bands: Array.from({ length: bands }, (_, i) => `b${i + 1}`),
      normalisation: { mode: 'reflectance' },
      architecture: 'autocm-unet',
      inputBands: bands,
      createdAt: new Date(0).toISOString(),
    },
    tensors: initParameters(layers, seed),
    shapes: new Map(parameterSpecs(layers).map((p) => [p.name, p.shape])),
  };
}

/** `length` uniform values in [0, 1) from `seed`. */
export function randomInput(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random.next());
}
