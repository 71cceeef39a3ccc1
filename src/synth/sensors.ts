import type { Georeference } from '../raster/types.js';

/** Sensors the synthetic generator can imitate. */
export const SYNTHETIC_SENSORS = ['planetscope4', 'sentinel2-l1c', 'landsat89-l2'] as const;
export type SyntheticSensorName = (typeof SYNTHETIC_SENSORS)[number];

export interface SyntheticSensorProfile {
  name: SyntheticSensorName;
  description: string;
  bandNames: string[];
  /** Centre wavelength of each band, nm. */
  wavelengthsNm: number[];
  pixelSizeM: number;
  /** True for top-of-atmosphere products (path radiance and gas absorption are added). */
  topOfAtmosphere: boolean;
  /** Additive sensor noise, standard deviation in reflectance units. */
  noiseSigma: number;
  /** Whether the sensor has scan-line (stripe) dropouts in its nodata repertoire. */
  stripes: boolean;
  /** The product's encoding: reflectance = DN * dnScale + dnOffset (DN 0 = nodata). */
  dnScale: number;
  dnOffset: number;
  /** GDAL metadata that lets autocm's sensor detection recognise the files (product naming conventions). */
  detectionMetadata(date: string): Record<string, string>;
}

const PROFILES: Record<SyntheticSensorName, SyntheticSensorProfile> = {
  planetscope4: {
    name: 'planetscope4',
    description: 'PlanetScope 4-band surface reflectance (B, G, R, NIR), 3 m',
    bandNames: ['blue', 'green', 'red', 'nir'],
    wavelengthsNm: [490, 565, 665, 865],
    pixelSizeM: 3,
    topOfAtmosphere: false,
    noiseSigma: 0.004,
    stripes: false,
    dnScale: 1e-4,
    dnOffset: 0,
    // 'PSScene4Band' and no bare 'PlanetScope': otherwise detection prefers the 8-band profile.
    detectionMetadata: () => ({ PRODUCT_TYPE: 'PSScene4Band' }),
  },
  'sentinel2-l1c': {
    name: 'sentinel2-l1c',
    description: 'Sentinel-2 MSI Level-1C top-of-atmosphere reflectance, 13 bands resampled to 10 m',
    bandNames: ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'],
    wavelengthsNm: [443, 490, 560, 665, 705, 740, 783, 842, 865, 945, 1375, 1610, 2190],
    pixelSizeM: 10,
    topOfAtmosphere: true,
    noiseSigma: 0.002,
    stripes: false,
    dnScale: 1e-4,
    dnOffset: 0,
    // Baseline before 04.00: reflectance = DN / 10000 without the -1000 offset.
    detectionMetadata: () => ({ PLATFORM: 'Sentinel-2 (synthetic)', PRODUCT_TYPE: 'S2MSI1C', PROCESSING_BASELINE: '03.01' }),
  },
  'landsat89-l2': {
    name: 'landsat89-l2',
    description: 'Landsat 8/9 OLI Collection-2 Level-2 surface reflectance, SR_B1..SR_B7, 30 m (reflectance = 0.0000275 DN - 0.2)',
    bandNames: ['SR_B1', 'SR_B2', 'SR_B3', 'SR_B4', 'SR_B5', 'SR_B6', 'SR_B7'],
    wavelengthsNm: [443, 482, 561, 655, 865, 1609, 2201],
    pixelSizeM: 30,
    topOfAtmosphere: false,
    noiseSigma: 0.003,
    stripes: true,
    // Collection-2 Level-2 surface reflectance scaling.
    dnScale: 0.0000275,
    dnOffset: -0.2,
    detectionMetadata: (date) => ({ LANDSAT_PRODUCT_ID: `LC09_L2SP_000000_${date.replaceAll('-', '')}_SYNTHETIC` }),
  },
};

export function syntheticSensorProfile(name: SyntheticSensorName): SyntheticSensorProfile {
  return PROFILES[name];
}

export function isSyntheticSensorName(name: string): name is SyntheticSensorName {
  return (SYNTHETIC_SENSORS as readonly string[]).includes(name);
}

/** UTM zone 33N (WGS 84): a projected CRS that GDAL, QGIS and proj all know. */
export const SYNTHETIC_EPSG = 32633;

/** North-up grid in UTM 33N with the sensor's pixel size; the origin is a fixed point in Austria. */
export function syntheticGeoreference(profile: SyntheticSensorProfile): Georeference {
  return {
    geoTransform: [500000, profile.pixelSizeM, 0, 5300000, 0, -profile.pixelSizeM],
    epsg: SYNTHETIC_EPSG,
    geoKeys: {
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: SYNTHETIC_EPSG,
    },
  };
}
