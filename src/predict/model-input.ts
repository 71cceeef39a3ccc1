/**
 * The one preprocessing of `predict` and the viewer's in-browser masking (no Node imports, so the
 * page bundles it): which image bands feed the model, how raw values become network input (the
 * model's stretch, fixed scale or reflectance scaling), the nodata rule (every band equal to the
 * nodata value, or any band NaN or infinite: input 0, output nodata; NaN never reaches the
 * network) and the cloud threshold (the model's calibrated one, else 0.5).
 */
import { referenceStretch } from '../model/reference-preprocess.js';
import type { TypedArray } from '../raster/types.js';
import { linearNormalisation, normaliseTile, stretchNormalisation, type InputNormalisation, type NormalisedTile } from './normalisation.js';
import { ceilTo8, planAxis } from './tile-plan.js';

export { selectModelBands } from './band-selection.js';

/** What this module needs of a model's metadata. */
export interface ModelInputSpec {
  normalisation: { mode: 'stretch'; lowPercentile: number; highPercentile: number } | { mode: 'scale'; scale: number; offset: number } | { mode: 'reflectance' };
  threshold?: number;
}

export const DEFAULT_THRESHOLD = 0.5;

/** The threshold a model's probabilities are cut at: its calibrated one, else 0.5. */
export function modelThreshold(model: { threshold?: number }): number {
  const t = model.threshold;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 && t <= 1 ? t : DEFAULT_THRESHOLD;
}

/**
 * The network input map for the selected bands of a whole image: the model's percentile stretch
 * (computed on these bands, as the reference does), its fixed scale, or reflectance by the
 * image's per-band [scale, offset].
 */
export function wholeImageNormalisation(bands: TypedArray[], model: ModelInputSpec, nodata: number | null, reflectanceScaling: [number, number][] | null): InputNormalisation {
  const n = model.normalisation;
  if (n.mode === 'stretch') {
    const { lo, hi } = referenceStretch(bands, nodata, n.lowPercentile, n.highPercentile);
    return stretchNormalisation(bands.length, lo, hi, `stretch lo=${lo} hi=${hi}`);
  }
  if (n.mode === 'scale') return linearNormalisation(bands.map(() => n.scale), bands.map(() => n.offset), `value * ${n.scale} + ${n.offset}`);
  if (!reflectanceScaling) throw new Error('the model works on reflectance and the sensor of this image is unknown: mask it with autocm predict --sensor');
  return linearNormalisation(reflectanceScaling.map(([scale]) => scale), reflectanceScaling.map(([, offset]) => offset), 'reflectance');
}

export interface WholeImageInput extends NormalisedTile {
  inputWidth: number;
  inputHeight: number;
  padLeft: number;
  padTop: number;
}

/** A whole image as one network input, centred in a canvas of multiples of 8 (predict's one-tile plan). */
export function wholeImageInput(bands: TypedArray[], width: number, height: number, normalisation: InputNormalisation, nodata: number | null): WholeImageInput {
  const column = planAxis(width, ceilTo8(width), 0)[0]!;
  const row = planAxis(height, ceilTo8(height), 0)[0]!;
  const geometry = { width, height, inputWidth: column.size, inputHeight: row.size, padLeft: column.padBefore, padTop: row.padBefore };
  return { ...normaliseTile(bands, geometry, normalisation, nodata), inputWidth: column.size, inputHeight: row.size, padLeft: column.padBefore, padTop: row.padBefore };
}

/** Per-pixel probability from the network's padded output: NaN where the input is nodata. */
export function probabilityOf(mask: Float32Array, input: WholeImageInput, width: number, height: number): Float32Array {
  const probability = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      probability[i] = input.nodata[i] === 1 ? Number.NaN : mask[(y + input.padTop) * input.inputWidth + x + input.padLeft]!;
    }
  return probability;
}
