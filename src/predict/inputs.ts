import { resolveInputs, type StackImage } from '../raster/inputs.js';
import type { ProductMetadata } from '../raster/products/product-metadata.js';
import type { PredictionInput } from './predict-images.js';

/** The product's mean sun angles (elevation = 90 - zenith), when its metadata has both. */
function productSun(product: ProductMetadata | null): PredictionInput['sun'] {
  if (!product || product.sunAzimuth === null || product.sunZenith === null) return undefined;
  return { azimuth: product.sunAzimuth, elevation: 90 - product.sunZenith };
}

/** The prediction inputs of `autocm predict`: files, folders, globs, list files, STAC (raster/inputs). */
export async function resolvePredictionInputs(inputs: string[], sensor?: string): Promise<PredictionInput[]> {
  const images = await resolveInputs(inputs, { sensor });
  return images.map(predictionInputOf);
}

/** A resolved image (one input, or one date of a stack) as prediction needs it. */
export function predictionInputOf(image: StackImage): PredictionInput {
  return {
    id: image.id,
    source: image.source,
    bandNames: image.bandNames,
    nodata: image.nodata,
    sensor: image.sensor.id,
    file: image.files.length === 1 ? image.files[0] : undefined,
    files: image.files,
    sun: productSun(image.product),
    open: () => image.open(),
    scalingGuess: image.scalingGuess,
    reflectanceScaling: (bands) => bands.map((b) => ({ scale: image.bands[b]!.scale, offset: image.bands[b]!.offset })),
  };
}
