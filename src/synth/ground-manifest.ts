import { basename } from 'node:path';
import { version } from '../version.js';
import type { GroundEncoding } from './ground-generate.js';
import type { GroundSeries } from './ground-input.js';
import { PHENOLOGY_FORMULA } from './phenology.js';
import { MASK_CLASSES, type ManifestDateEntry, type ManifestHeader } from './write.js';

export interface GroundManifestOptions {
  ground: string[];
  seed: number;
  /** Only with a single ground image. */
  dates?: number;
  startDate?: string;
  cadenceDays?: number;
}

/** manifest.json of a semi-synthetic stack: the plain synth manifest's fields where they apply, plus the ground. */
export interface GroundManifest extends ManifestHeader {
  options: GroundManifestOptions;
  /** The sensor profile of the written images (read them with --sensor <folder>/sensor.json). */
  sensorProfile: string;
  ground: {
    mode: 'one real image per date' | 'one real image repeated with synthetic phenology';
    sensorFrom: string;
    images: string[];
    phenology: string | null;
    noise: string;
  };
  dates: (ManifestDateEntry & { ground: string; phenologyFactors?: number[] })[];
}

export function groundManifest(
  series: GroundSeries,
  encoding: GroundEncoding,
  options: GroundManifestOptions,
  cloudOpacityThreshold: number,
  dates: GroundManifest['dates'],
): GroundManifest {
  const single = series.images.length === 1;
  const { epsg, geoTransform } = series.georeference;
  const scaling = encoding.bands.map((b, k) => `${series.bandNames[k]} DN * ${b.scale} + ${b.offset}`).join(', ');
  return {
    name: `ground-${series.sensor.id}-seed${options.seed}`,
    generator: 'autocm synth --ground (src/synth): synthetic clouds, haze, cirrus and shadows with exact truth over real clear ground images',
    autocmVersion: version,
    seed: options.seed,
    options,
    sensor: series.sensor.id,
    sensorDescription: series.sensor.description,
    sensorProfile: 'sensor.json',
    crs: epsg !== null ? `EPSG:${epsg}` : 'unknown',
    geotransform: geoTransform,
    size: [series.width, series.height],
    bands: series.bandNames,
    wavelengthsNm: series.wavelengthsNm,
    scale: `reflectance = ${scaling} (${encoding.sampleType}, the ground's encoding), nodata ${encoding.nodata}; surface/ holds float32 reflectance`,
    mask_classes: MASK_CLASSES,
    cloudOpacityThreshold,
    ground: {
      mode: single ? 'one real image repeated with synthetic phenology' : 'one real image per date',
      sensorFrom: series.sensorFrom,
      images: series.images.map((image) => image.source),
      phenology: single ? PHENOLOGY_FORMULA : null,
      noise: 'sensor noise only where cloud, haze, cirrus or shadow alter a pixel, in proportion to their opacity: elsewhere the output DN is the ground\'s',
    },
    dates,
  };
}

/** The profile of the written images: the kept bands in file order with the encoding's scaling. */
export function groundSensorProfile(series: GroundSeries, encoding: GroundEncoding): Record<string, unknown> {
  const image = series.images[0];
  const bands = series.bandIndices.map((index, k) => {
    const band = image.bands[index];
    return { name: band.name, common: band.common, scale: encoding.bands[k].scale, offset: encoding.bands[k].offset, aliases: band.aliases };
  });
  return {
    id: series.sensor.id,
    description: `${series.sensor.description}: blue, green, red and nir of ${basename(image.source)} and its series under synthetic clouds (autocm synth --ground)`,
    bands,
    modelBands: ['blue', 'green', 'red', 'nir'],
    layouts: [bands.map((b) => b.name)],
    nodata: Number.isNaN(encoding.nodata) ? null : encoding.nodata,
    saturation: series.sensor.saturation,
    units: series.sensor.units,
  };
}
