/**
 * The built-in sensor profiles. Scaling is `reflectance = DN * scale + offset`; per-image
 * corrections (Sentinel-2 processing baseline, Landsat MTL coefficients) are applied on top by
 * reflectance.ts. Detection patterns are tried in the order of this list, most specific first.
 */
import type { SensorBand, SensorProfile } from './sensors.js';

function band(name: string, common: string, scale: number, offset: number, aliases: string[] = []): SensorBand {
  return { name, common, scale, offset, aliases };
}

const e4 = 1e-4;
const rgbn = ['blue', 'green', 'red', 'nir'];
/** Sentinel-2 product identifiers or tile/date band-file names. */
const s2Tile = String.raw`(?<![0-9A-Za-z])T\d{2}[A-Z]{3}_\d{8}T\d{6}_B(\d[\dA])`;
/** Pre-collection Landsat scene id, e.g. LC80130312015295LGN00 (sensor letter, mission digit). */
const landsatScene = (letters: string, missions: string) => String.raw`(?<![0-9A-Za-z])L[${letters}][${missions}]\d{13}[A-Z]{3}\d{2}(?![0-9A-Za-z])`;
const landsatProduct = (letters: string, missions: string, level: string) => String.raw`(?<![0-9A-Za-z])L[${letters}]0[${missions}]_${level}`;

/** PlanetScope scene id (20170915_020728_103d, 20230312_093012_45_24a3) and ortho tile id (633841_1932520_2017-07-19_1004). */
const planetSceneId = String.raw`(?<![0-9A-Za-z])\d{8}_\d{6}(_\d{2})?_[0-9a-f]{4}(?![0-9A-Za-z])`;
const planetOrthoTile = String.raw`(?<![0-9A-Za-z])\d+_\d+_\d{4}-\d{2}-\d{2}_[0-9a-f]{4}(?![0-9A-Za-z])`;

function sentinel2Bands(withCirrus: boolean): SensorBand[] {
  const list = [
    band('B01', 'coastal', e4, 0),
    band('B02', 'blue', e4, 0),
    band('B03', 'green', e4, 0),
    band('B04', 'red', e4, 0),
    band('B05', 'rededge1', e4, 0, ['rededge071']),
    band('B06', 'rededge2', e4, 0, ['rededge075']),
    band('B07', 'rededge3', e4, 0, ['rededge078']),
    band('B08', 'nir', e4, 0),
    band('B8A', 'nir08', e4, 0, ['rededge4', 'nir_narrow']),
    band('B09', 'nir09', e4, 0, ['watervapour', 'water_vapour']),
    band('B10', 'cirrus', e4, 0),
    band('B11', 'swir1', e4, 0, ['swir16']),
    band('B12', 'swir2', e4, 0, ['swir22']),
  ];
  return withCirrus ? list : list.filter((b) => b.name !== 'B10');
}

function landsatOliBands(scale: number, offset: number, prefix: string): SensorBand[] {
  const aliasesOf = (n: number) => (prefix ? [`${prefix}B${n}`] : []);
  return [
    band('B1', 'coastal', scale, offset, aliasesOf(1)),
    band('B2', 'blue', scale, offset, aliasesOf(2)),
    band('B3', 'green', scale, offset, aliasesOf(3)),
    band('B4', 'red', scale, offset, aliasesOf(4)),
    band('B5', 'nir', scale, offset, [...aliasesOf(5), 'nir08']),
    band('B6', 'swir1', scale, offset, [...aliasesOf(6), 'swir16']),
    band('B7', 'swir2', scale, offset, [...aliasesOf(7), 'swir22']),
  ];
}

function landsatTmBands(scale: number, offset: number, prefix: string, thermal: boolean): SensorBand[] {
  const aliasesOf = (n: number) => (prefix ? [`${prefix}B${n}`] : []);
  const list = [
    band('B1', 'blue', scale, offset, aliasesOf(1)),
    band('B2', 'green', scale, offset, aliasesOf(2)),
    band('B3', 'red', scale, offset, aliasesOf(3)),
    band('B4', 'nir', scale, offset, [...aliasesOf(4), 'nir08']),
    band('B5', 'swir1', scale, offset, [...aliasesOf(5), 'swir16']),
    band('B6', 'lwir', 1, 0, ['lwir11', 'thermal']),
    band('B7', 'swir2', scale, offset, [...aliasesOf(7), 'swir22']),
  ];
  return thermal ? list : list.filter((b) => b.name !== 'B6');
}

export const builtinProfiles: SensorProfile[] = [
  {
    id: 'planet-udm2',
    description: 'PlanetScope Usable Data Mask 2 (8 mask bands; not reflectance)',
    bands: ['clear', 'snow', 'shadow', 'light_haze', 'heavy_haze', 'cloud', 'confidence', 'udm1'].map((name) => band(name, name, 1, 0)),
    modelBands: [],
    layouts: [['clear', 'snow', 'shadow', 'light_haze', 'heavy_haze', 'cloud', 'confidence', 'udm1']],
    nodata: null,
    saturation: null,
    units: 'mask',
    fileNamePatterns: [String.raw`_udm2`],
    metadataPatterns: [String.raw`(?<![0-9A-Za-z])udm2(?![0-9A-Za-z])`],
  },
  {
    id: 'landsat89-l2',
    description: 'Landsat 8/9 OLI Collection 2 Level-2 surface reflectance (0.0000275 * DN - 0.2)',
    bands: [...landsatOliBands(0.0000275, -0.2, 'SR_'), band('ST_B10', 'lwir11', 0.00341802, 149, ['B10'])],
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'], ['B2', 'B3', 'B4', 'B5', 'B6', 'B7'], ['B2', 'B3', 'B4', 'B5']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [landsatProduct('CO', '89', 'L2S[PR]_'), String.raw`^L[CO]0[89]_.*_SR_B\d(?![0-9A-Za-z])`],
    metadataPatterns: [landsatProduct('CO', '89', 'L2S[PR]_')],
  },
  {
    id: 'landsat457-l2',
    description: 'Landsat 4-5 TM / 7 ETM+ Collection 2 Level-2 surface reflectance (0.0000275 * DN - 0.2)',
    bands: [...landsatTmBands(0.0000275, -0.2, 'SR_', false), band('ST_B6', 'lwir', 0.00341802, 149, ['B6'])],
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B7'], ['B1', 'B2', 'B3', 'B4']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [landsatProduct('TE', '457', 'L2S[PR]_')],
    metadataPatterns: [landsatProduct('TE', '457', 'L2S[PR]_')],
  },
  {
    id: 'landsat457-sr',
    description: 'Landsat 4-5 TM / 7 ETM+ surface reflectance x 10000 (USGS ESPA / Collection 1), nodata -9999',
    bands: landsatTmBands(e4, 0, '', false),
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B7'], ['B1', 'B2', 'B3', 'B4'], ['B3', 'B4', 'B5']],
    nodata: -9999,
    // ESPA marks saturated surface reflectance with 20000.
    saturation: 20000,
    units: 'reflectance',
    fileNamePatterns: [String.raw`(?<![0-9A-Za-z])L[TE]0[457]_.*_sr_band\d`],
    metadataPatterns: [String.raw`(?=[\s\S]*(${landsatScene('TE', '457')}|Landsat-?[457](?![0-9A-Za-z])))(?=[\s\S]*surface reflectance)`],
  },
  {
    id: 'landsat89-toa',
    description: 'Landsat 8/9 OLI top-of-atmosphere reflectance x 10000 (e.g. rio-toa output scaled to uint16)',
    bands: [...landsatOliBands(e4, 0, ''), band('B9', 'cirrus', e4, 0)],
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B9'], ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'], ['B2', 'B3', 'B4', 'B5']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [String.raw`^L[CO]0?[89].*_toa(?![0-9A-Za-z])`],
    metadataPatterns: [String.raw`(?=[\s\S]*(${landsatScene('CO', '89')}|${landsatProduct('CO', '89', '')}|Landsat-?[89](?![0-9A-Za-z])))(?=[\s\S]*(?<![0-9A-Za-z])TOA reflectance)`],
  },
  {
    id: 'landsat89-l1',
    description: 'Landsat 8/9 OLI/TIRS Collection 2 Level-1 DN (reflectance from the MTL file; default 2.0e-5 * DN - 0.1)',
    bands: [
      ...landsatOliBands(2e-5, -0.1, ''),
      band('B8', 'pan', 2e-5, -0.1),
      band('B9', 'cirrus', 2e-5, -0.1),
      band('B10', 'lwir11', 1, 0),
      band('B11', 'lwir12', 1, 0),
    ],
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'], ['B2', 'B3', 'B4', 'B5'], ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B9']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [landsatProduct('CO', '89', 'L1(TP|GT|GS)_'), landsatScene('CO', '89')],
    metadataPatterns: [landsatProduct('CO', '89', 'L1(TP|GT|GS)_'), landsatScene('CO', '89')],
  },
  {
    id: 'landsat457-l1',
    description: 'Landsat 4-5 TM / 7 ETM+ Level-1 8-bit DN (reflectance from the MTL file; without it DN / 255)',
    bands: landsatTmBands(1 / 255, 0, '', true),
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'], ['B1', 'B2', 'B3', 'B4', 'B5', 'B7'], ['B1', 'B2', 'B3', 'B4']],
    nodata: 0,
    saturation: 255,
    units: 'dn',
    fileNamePatterns: [landsatProduct('TE', '457', 'L1(TP|GT|GS)_'), landsatScene('TE', '457')],
    metadataPatterns: [landsatProduct('TE', '457', 'L1(TP|GT|GS)_'), landsatScene('TE', '457'), String.raw`(?<![0-9A-Za-z])ETM\+`, String.raw`(?<![0-9A-Za-z])TM[1-7](?![0-9A-Za-z])`],
  },
  {
    id: 'sentinel2-l2a',
    description: 'Sentinel-2 MSI Level-2A surface reflectance x 10000 (baseline >= 04.00: (DN - 1000) / 10000)',
    bands: sentinel2Bands(false),
    modelBands: rgbn,
    layouts: [sentinel2Bands(false).map((b) => b.name), ['B02', 'B03', 'B04', 'B08']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [String.raw`MSIL2A`, String.raw`${s2Tile}_[126]0m(?![0-9A-Za-z])`],
    metadataPatterns: [String.raw`MSIL2A|Level-2A|(?<![0-9A-Za-z])L2A(?![0-9A-Za-z])`],
  },
  {
    id: 'sentinel2-l1c',
    description: 'Sentinel-2 MSI Level-1C top-of-atmosphere reflectance x 10000 (baseline >= 04.00: (DN - 1000) / 10000)',
    bands: sentinel2Bands(true),
    modelBands: rgbn,
    layouts: [sentinel2Bands(true).map((b) => b.name), ['B02', 'B03', 'B04', 'B08']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [String.raw`MSIL1C`, s2Tile],
    metadataPatterns: [String.raw`MSIL1C|Sentinel-?2`],
  },
  {
    id: 'planetscope8',
    description: 'PlanetScope 8-band (SuperDove) surface or TOA reflectance x 10000',
    bands: [
      band('B1', 'coastal_blue', e4, 0, ['coastal']),
      band('B2', 'blue', e4, 0),
      band('B3', 'green_i', e4, 0, ['greeni']),
      band('B4', 'green', e4, 0),
      band('B5', 'yellow', e4, 0),
      band('B6', 'red', e4, 0),
      band('B7', 'rededge', e4, 0),
      band('B8', 'nir', e4, 0),
    ],
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    // A plain PlanetScope id also matches: chooseSensor keeps the profile whose band count fits (4 or 8).
    fileNamePatterns: [String.raw`\d{8}_\d{6}(_\d{2})?_[0-9a-f]{4}_3B_AnalyticMS(_SR)?_8b`, planetSceneId, planetOrthoTile],
    metadataPatterns: [String.raw`PSScene8Band|SuperDove|AnalyticMS(_SR)?_8b`, String.raw`PSScene(?!4Band)|PSOrthoTile|PlanetScope`, planetSceneId, planetOrthoTile],
  },
  {
    id: 'planetscope4',
    description: 'PlanetScope 4-band (Blue, Green, Red, NIR) surface or TOA reflectance x 10000',
    bands: [band('B1', 'blue', e4, 0), band('B2', 'green', e4, 0), band('B3', 'red', e4, 0), band('B4', 'nir', e4, 0)],
    modelBands: rgbn,
    layouts: [['B1', 'B2', 'B3', 'B4']],
    nodata: 0,
    saturation: 65535,
    units: 'reflectance',
    fileNamePatterns: [planetSceneId, planetOrthoTile],
    metadataPatterns: [String.raw`PSScene|PSOrthoTile|PlanetScope`, planetSceneId, planetOrthoTile],
  },
];
