import { createRandom } from '../util/random.js';
import { type ConvSpec, parameterSpecs } from './description.js';

/**
 * Keras default initialisation of every parameter of `layers`, deterministic for a given seed:
 * kernels Glorot uniform, biases 0, BN gamma 1, beta 0, moving mean 0, moving variance 1.
 *
 * Glorot uniform draws from U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)), where Keras
 * computes the fans from the kernel's own shape: receptive field = kh*kw, fan_in = kh*kw*shape[2],
 * fan_out = kh*kw*shape[3]. For Conv2DTranspose the kernel is [kh, kw, out, in], so Keras's
 * fan_in is kh*kw*out and fan_out kh*kw*in: swapped, but the sum, and so the limit, is the same.
 * Parameters are drawn in `parameterSpecs` order, so adding a layer never changes earlier ones.
 */
export function initParameters(layers: ConvSpec[], seed: number): Map<string, Float32Array> {
  const random = createRandom(seed);
  const params = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(layers)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    switch (spec.role) {
      case 'kernel': {
        const [kh, kw, c2, c3] = spec.shape as [number, number, number, number];
        const limit = Math.sqrt(6 / (kh * kw * c2 + kh * kw * c3));
        for (let i = 0; i < size; i++) values[i] = (2 * random.next() - 1) * limit;
        break;
      }
      case 'gamma':
      case 'moving_variance':
        values.fill(1);
        break;
      case 'bias':
      case 'beta':
      case 'moving_mean':
        break;
    }
    params.set(spec.name, values);
  }
  return params;
}
