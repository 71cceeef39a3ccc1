/**
 * PlanetScope scene metadata: the `<scene>_3B_AnalyticMS[_8b]_metadata[_clip].xml` of the
 * Planet Imagery Product Specification (ps:EarthObservation: acquisition time, sun azimuth and
 * elevation as opt:illumination*Angle, cloud cover, and per band ps:bandSpecificMetadata with
 * the radiometric scale factor and the TOA reflectance coefficient), and the scene's
 * `<scene>_metadata.json` (Data API properties: sun_azimuth, sun_elevation, cloud_cover).
 * Unknown elements and properties are ignored.
 */
import { AutocmError } from '../../util/errors.js';
import { finiteOrNull, xmlBlock, xmlText } from './product-metadata.js';

export interface PlanetBandMetadata {
  band: number;
  radiometricScaleFactor: number | null;
  reflectanceCoefficient: number | null;
}

export interface PlanetSceneMetadata {
  acquired: string | null;
  sunAzimuth: number | null;
  sunElevation: number | null;
  /** Percent (the XML's cloudCoverPercentage; the JSON's 0-1 cloud_cover is converted). */
  cloudCover: number | null;
  platform: string | null;
  productType: string | null;
  bands: PlanetBandMetadata[];
}

export function parsePlanetXml(xml: string): PlanetSceneMetadata {
  const bands: PlanetBandMetadata[] = [];
  for (const match of xml.matchAll(/<ps:bandSpecificMetadata>([\s\S]*?)<\/ps:bandSpecificMetadata>/g)) {
    const band = finiteOrNull(xmlText(match[1], 'bandNumber'));
    if (band === null) continue;
    bands.push({ band, radiometricScaleFactor: finiteOrNull(xmlText(match[1], 'radiometricScaleFactor')), reflectanceCoefficient: finiteOrNull(xmlText(match[1], 'reflectanceCoefficient')) });
  }
  const acquisition = xmlBlock(xml, 'Acquisition') ?? xml;
  const platform = xmlBlock(xml, 'Platform');
  return {
    acquired: xmlText(acquisition, 'acquisitionDateTime') ?? null,
    sunAzimuth: finiteOrNull(xmlText(acquisition, 'illuminationAzimuthAngle')),
    sunElevation: finiteOrNull(xmlText(acquisition, 'illuminationElevationAngle')),
    cloudCover: finiteOrNull(xmlText(xml, 'cloudCoverPercentage')),
    platform: platform ? (xmlText(platform, 'shortName') ?? null) : null,
    productType: xmlText(xml, 'productType') ?? null,
    bands: bands.sort((a, b) => a.band - b.band),
  };
}

export function parsePlanetJson(text: string, file: string): PlanetSceneMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AutocmError(`unreadable PlanetScope metadata JSON: ${(error as Error).message}`, file);
  }
  const properties = ((value as { properties?: unknown })?.properties ?? value) as Record<string, unknown>;
  const number = (key: string) => (typeof properties[key] === 'number' && Number.isFinite(properties[key]) ? (properties[key] as number) : null);
  const cover = number('cloud_cover') ?? number('cloud_percent');
  return {
    acquired: typeof properties.acquired === 'string' ? properties.acquired : null,
    sunAzimuth: number('sun_azimuth'),
    sunElevation: number('sun_elevation'),
    cloudCover: cover === null ? null : number('cloud_percent') !== null ? cover : cover * 100,
    platform: typeof properties.satellite_id === 'string' ? `PlanetScope ${properties.satellite_id}` : null,
    productType: typeof properties.item_type === 'string' ? properties.item_type : null,
    bands: [],
  };
}
