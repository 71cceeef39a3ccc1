/**
 * Sentinel-2 product metadata (PSD 14.x): MTD_MSIL1C.xml / MTD_MSIL2A.xml (product level,
 * processing baseline, quantification value, the radiometric offsets that baseline 04.00 added)
 * and the granule's MTD_TL.xml (sensing time, CRS, mean sun angles, the 5 km sun angle grids,
 * the pixel-level QI mask files). Unknown elements are ignored.
 */
import { finiteOrNull, xmlBlock, xmlLeaves, xmlText, type AngleGridValues } from './product-metadata.js';

export interface Sentinel2ProductInfo {
  level: 'L1C' | 'L2A' | null;
  /** '04.00' as written, or null. */
  baseline: string | null;
  productUri: string | null;
  spacecraft: string | null;
  startTime: string | null;
  quantification: number | null;
  /** RADIO_ADD_OFFSET (L1C) / BOA_ADD_OFFSET (L2A) per band id (0 = B01 ... 12 = B12, 8 = B8A). */
  addOffsets: Map<number, number>;
  cloudCover: number | null;
  /** IMAGE_FILE entries (relative to the SAFE root, without extension). */
  imageFiles: string[];
}

/** Metres between grid nodes (5000 for Sentinel-2); values[row][col] in degrees (NaN where the product writes NaN). */
export type AngleGrid = AngleGridValues;

export interface Sentinel2TileInfo {
  tileId: string | null;
  sensingTime: string | null;
  epsg: number | null;
  /** Upper-left corner and pixel size per resolution (10, 20, 60 m). */
  geoposition: Map<number, { ulx: number; uly: number; xdim: number; ydim: number }>;
  meanSunZenith: number | null;
  meanSunAzimuth: number | null;
  sunZenithGrid: AngleGrid | null;
  sunAzimuthGrid: AngleGrid | null;
  /** MASK_FILENAME entries by type (MSK_CLASSI, MSK_CLOUDS, MSK_CLDPRB...), relative to the SAFE root. */
  maskFiles: Map<string, string>;
  cloudCover: number | null;
}

/** Band ids of the Sentinel-2 metadata (band_id attribute) -> band names. */
export const SENTINEL2_BAND_IDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];

export function parseSentinel2Product(xml: string): Sentinel2ProductInfo {
  const levelText = xmlText(xml, 'PROCESSING_LEVEL') ?? xmlText(xml, 'PRODUCT_TYPE') ?? '';
  const level = /2A/i.test(levelText) ? 'L2A' : /1C/i.test(levelText) ? 'L1C' : /Level-2A_User_Product/.test(xml) ? 'L2A' : /Level-1C_User_Product/.test(xml) ? 'L1C' : null;
  const addOffsets = new Map<number, number>();
  for (const name of ['RADIO_ADD_OFFSET', 'BOA_ADD_OFFSET']) {
    for (const leaf of xmlLeaves(xml, name)) {
      const band = Number(leaf.attributes.band_id);
      const value = finiteOrNull(leaf.text);
      if (Number.isInteger(band) && value !== null) addOffsets.set(band, value);
    }
  }
  return {
    level,
    baseline: xmlText(xml, 'PROCESSING_BASELINE') ?? null,
    productUri: xmlText(xml, 'PRODUCT_URI') ?? null,
    spacecraft: xmlText(xml, 'SPACECRAFT_NAME') ?? null,
    startTime: xmlText(xml, 'PRODUCT_START_TIME') ?? null,
    quantification: finiteOrNull(xmlText(xml, 'QUANTIFICATION_VALUE') ?? xmlText(xml, 'BOA_QUANTIFICATION_VALUE')),
    addOffsets,
    cloudCover: finiteOrNull(xmlText(xml, 'Cloud_Coverage_Assessment') ?? xmlText(xml, 'CLOUDY_PIXEL_PERCENTAGE')),
    imageFiles: xmlLeaves(xml, 'IMAGE_FILE').map((l) => l.text),
  };
}

function angleGrid(block: string | undefined): AngleGrid | null {
  if (!block) return null;
  const colStep = finiteOrNull(xmlText(block, 'COL_STEP'));
  const rowStep = finiteOrNull(xmlText(block, 'ROW_STEP'));
  const values = xmlLeaves(block, 'VALUES').map((l) => l.text.split(/\s+/).map((v) => (v === 'NaN' ? Number.NaN : Number(v))));
  if (colStep === null || rowStep === null || values.length === 0) return null;
  return { colStep, rowStep, values };
}

export function parseSentinel2Tile(xml: string): Sentinel2TileInfo {
  const geoposition = new Map<number, { ulx: number; uly: number; xdim: number; ydim: number }>();
  for (const match of xml.matchAll(/<Geoposition resolution="(\d+)">([\s\S]*?)<\/Geoposition>/g)) {
    const [ulx, uly, xdim, ydim] = ['ULX', 'ULY', 'XDIM', 'YDIM'].map((n) => finiteOrNull(xmlText(match[2], n)));
    if (ulx !== null && uly !== null && xdim !== null && ydim !== null) geoposition.set(Number(match[1]), { ulx, uly, xdim, ydim });
  }
  const sunGrid = xmlBlock(xml, 'Sun_Angles_Grid');
  const mean = xmlBlock(xml, 'Mean_Sun_Angle') ?? '';
  const maskFiles = new Map<string, string>();
  for (const leaf of xmlLeaves(xml, 'MASK_FILENAME')) {
    const type = leaf.attributes.type;
    if (type && !maskFiles.has(type)) maskFiles.set(type, leaf.text);
  }
  const epsgText = /EPSG:(\d+)/.exec(xmlText(xml, 'HORIZONTAL_CS_CODE') ?? '');
  return {
    tileId: xmlText(xml, 'TILE_ID') ?? null,
    sensingTime: xmlText(xml, 'SENSING_TIME') ?? null,
    epsg: epsgText ? Number(epsgText[1]) : null,
    geoposition,
    meanSunZenith: finiteOrNull(xmlText(mean, 'ZENITH_ANGLE')),
    meanSunAzimuth: finiteOrNull(xmlText(mean, 'AZIMUTH_ANGLE')),
    sunZenithGrid: angleGrid(sunGrid ? xmlBlock(sunGrid, 'Zenith') : undefined),
    sunAzimuthGrid: angleGrid(sunGrid ? xmlBlock(sunGrid, 'Azimuth') : undefined),
    maskFiles,
    cloudCover: finiteOrNull(xmlText(xml, 'CLOUDY_PIXEL_PERCENTAGE')),
  };
}

/** Processing baseline as a number ('04.00' -> 4), or null. */
export function baselineNumber(baseline: string | null): number | null {
  const n = baseline === null ? Number.NaN : Number.parseFloat(baseline);
  return Number.isFinite(n) ? n : null;
}
