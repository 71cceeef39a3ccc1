import type { RasterSource } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import { computeImageStretch } from './image-stretch.js';
import { linearNormalisation, stretchNormalisation, type InputNormalisation } from './normalisation.js';

/** The normalisation modes a model's metadata records. */
export type ModelNormalisation =
  | { mode: 'stretch'; lowPercentile: number; highPercentile: number }
  | { mode: 'scale'; scale: number | number[]; offset: number | number[] }
  | { mode: 'reflectance' };

/** Per-band DN -> reflectance of the image's sensor profile, for the 'reflectance' mode. */
export interface BandScaling {
  scale: number;
  offset: number;
}

function perBand(value: number | number[], count: number, what: string, file: string): number[] {
  if (typeof value === 'number') return new Array<number>(count).fill(value);
  if (value.length !== count) throw new AutocmError(`the model's ${what} has ${value.length} values for ${count} bands`, file);
  return value;
}

/**
 * The input normalisation of one image as the model asks for it: the per-image percentile
 * stretch computed ONCE for the whole image (never per tile), or a fixed linear scaling.
 */
export async function imageNormalisation(
  source: RasterSource,
  bands: number[],
  nodata: number | null,
  normalisation: ModelNormalisation,
  reflectanceScaling: () => BandScaling[],
  modelFile: string,
): Promise<InputNormalisation> {
  switch (normalisation.mode) {
    case 'stretch': {
      const { lowPercentile, highPercentile } = normalisation;
      const stretch = await computeImageStretch(source, bands, { lowPercentile, highPercentile, nodata });
      if (!stretch) return stretchNormalisation(bands.length, 0, 1, `stretch ${lowPercentile}-${highPercentile} %: no valid pixel`);
      return stretchNormalisation(
        bands.length,
        stretch.lo,
        stretch.hi,
        `stretch ${lowPercentile}-${highPercentile} % per image: lo=${stretch.lo} hi=${stretch.hi} (${stretch.from}, ${stretch.values} values)`,
      );
    }
    case 'scale': {
      const scales = perBand(normalisation.scale, bands.length, 'scale', modelFile);
      const offsets = perBand(normalisation.offset, bands.length, 'offset', modelFile);
      return linearNormalisation(scales, offsets, `scale: x = DN * ${scales.join('/')} + ${offsets.join('/')}`);
    }
    case 'reflectance': {
      const scaling = reflectanceScaling();
      return linearNormalisation(
        scaling.map((s) => s.scale),
        scaling.map((s) => s.offset),
        `reflectance: x = DN * ${scaling.map((s) => s.scale).join('/')} + ${scaling.map((s) => s.offset).join('/')}`,
      );
    }
  }
}
