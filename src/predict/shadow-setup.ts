import type { CogWriteOptions, RasterInfo } from '../raster/types.js';
import { usableSun, type SunAngles } from '../shadow/index.js';
import type { BandScaling } from './image-normalisation.js';
import type { ShadowPassOptions } from './shadow-pass.js';

/** The detector's bands in an image (nir, then swir1 and red when present), or null without NIR. */
export function shadowBandsOf(bandNames: string[]): { index: number; name: string }[] | null {
  const lower = bandNames.map((name) => name.toLowerCase());
  const nir = lower.indexOf('nir');
  if (nir < 0) return null;
  const bands = [{ index: nir, name: 'nir' }];
  for (const name of ['swir1', 'red']) {
    const index = lower.indexOf(name);
    if (index >= 0) bands.push({ index, name });
  }
  return bands;
}

/** Ground size of a pixel in metres: the geotransform's (degrees converted at the equator), else 30 m. */
export function scenePixelSize(info: Pick<RasterInfo, 'geoTransform'>): number {
  const size = info.geoTransform ? Math.abs(info.geoTransform[1]) : 0;
  if (!(size > 0)) return 30;
  return size < 0.1 ? size * 111_320 : size;
}

/**
 * Sun angles from an image's GDAL metadata items SUN_AZIMUTH and SUN_ELEVATION (degrees; written
 * by `autocm synth`, and by GDAL for some products), or undefined. Unusable values are returned
 * as they are, for the caller to warn about.
 */
export function sunFromMetadata(metadata: Record<string, string> | undefined): { azimuth: number; elevation: number } | undefined {
  const azimuth = metadata?.SUN_AZIMUTH;
  const elevation = metadata?.SUN_ELEVATION;
  if (azimuth === undefined || elevation === undefined) return undefined;
  return { azimuth: Number(azimuth), elevation: Number(elevation) };
}

/** What the three callers of the shadow pass (predict, predict --stack, the queue's assembly) know of a scene. */
export interface ShadowSetupInput {
  bands: { index: number; name: string }[];
  /** The cloud-only mask's writer options; the final mask's are these plus the class description. */
  maskOptions: CogWriteOptions;
  reflectanceScaling: (bands: number[]) => BandScaling[];
  nodata: number | null;
  info: Pick<RasterInfo, 'geoTransform'>;
  /** Sun angles if any are known (unusable ones are dropped: the direction is then searched). */
  sun: SunAngles | undefined;
  cloudBuffer: number;
  shadowBuffer: number;
  probabilityFormat: 'uint8' | 'float32';
  /** Extra metadata items of the final mask (e.g. where the clear-sky reference came from). */
  maskMetadata?: Record<string, string>;
}

/** The final mask's writer options and the shadow pass's options, the same for every caller. */
export function shadowSetup(input: ShadowSetupInput): { maskOptions: CogWriteOptions; passOptions: ShadowPassOptions } {
  const maskOptions: CogWriteOptions = {
    ...input.maskOptions,
    bandDescriptions: ['cloud mask (0 clear, 1 cloud, 2 shadow)'],
    metadata: { ...input.maskOptions.metadata, AUTOCM_MASK_CLASSES: 'clear,cloud,shadow', AUTOCM_SHADOW_BUFFER: String(input.shadowBuffer), ...input.maskMetadata },
  };
  const passOptions: ShadowPassOptions = {
    bands: input.bands,
    scaling: input.reflectanceScaling(input.bands.map((b) => b.index)),
    nodata: input.nodata,
    pixelSize: scenePixelSize(input.info),
    sun: input.sun && usableSun(input.sun) ? input.sun : undefined,
    cloudBuffer: input.cloudBuffer,
    shadowBuffer: input.shadowBuffer,
    probabilityFormat: input.probabilityFormat,
  };
  return { maskOptions, passOptions };
}

/** The final mask's shadow probability COG's writer options (from the cloud probability's). */
export function shadowProbabilityWriterOptions(probabilityOptions: CogWriteOptions, format: 'uint8' | 'float32'): CogWriteOptions {
  return { ...probabilityOptions, bandDescriptions: [format === 'uint8' ? 'cloud shadow probability (percent)' : 'cloud shadow probability'] };
}
