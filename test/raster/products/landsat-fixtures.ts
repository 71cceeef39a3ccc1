/**
 * Landsat 8-9 Collection 2 MTL files written by hand after the Level-1 and Level-2 Data Format
 * Control Books (LSDS-1822, LSDS-1328): the same values in ODL text, XML and JSON, with keys
 * autocm does not use (which must be ignored), and tiny band files on one grid.
 */
import { writeCog } from '../../../src/raster/cog-writer.js';

export const L2_PRODUCT = 'LC09_L2SP_044034_20220111_20220113_02_T1';
export const L1_PRODUCT = 'LC09_L1TP_044034_20220111_20220113_02_T1';

const bands = [1, 2, 3, 4, 5, 6, 7];

interface Group {
  name: string;
  values: [string, string | number][];
}

export function level2Groups(product = L2_PRODUCT): Group[] {
  return [
    {
      name: 'PRODUCT_CONTENTS',
      values: [
        ['ORIGIN', 'Image courtesy of the U.S. Geological Survey'],
        ['LANDSAT_PRODUCT_ID', product],
        ['PROCESSING_LEVEL', 'L2SP'],
        ['COLLECTION_NUMBER', '02'],
        ['COLLECTION_CATEGORY', 'T1'],
        ['OUTPUT_FORMAT', 'GEOTIFF'],
        ...bands.map((n): [string, string] => [`FILE_NAME_BAND_${n}`, `${product}_SR_B${n}.TIF`]),
        ['FILE_NAME_BAND_ST_B10', `${product}_ST_B10.TIF`],
        ['FILE_NAME_QUALITY_L1_PIXEL', `${product}_QA_PIXEL.TIF`],
        ['FILE_NAME_METADATA_ODL', `${product}_MTL.txt`],
      ],
    },
    {
      name: 'IMAGE_ATTRIBUTES',
      values: [
        ['SPACECRAFT_ID', 'LANDSAT_9'],
        ['SENSOR_ID', 'OLI_TIRS'],
        ['WRS_PATH', 44],
        ['WRS_ROW', 34],
        ['DATE_ACQUIRED', '2022-01-11'],
        ['SCENE_CENTER_TIME', '18:45:43.7170300Z'],
        ['CLOUD_COVER', 3.17],
        ['SUN_AZIMUTH', 155.38451423],
        ['SUN_ELEVATION', 27.19457362],
        ['A_KEY_FROM_A_LATER_DFCB', 'ignored'],
      ],
    },
    {
      name: 'LEVEL2_SURFACE_REFLECTANCE_PARAMETERS',
      values: bands.flatMap((n): [string, number][] => [
        [`REFLECTANCE_MAXIMUM_BAND_${n}`, 1.602213],
        [`REFLECTANCE_MULT_BAND_${n}`, 2.75e-5],
        [`REFLECTANCE_ADD_BAND_${n}`, -0.2],
      ]),
    },
    {
      name: 'LEVEL1_RADIOMETRIC_RESCALING',
      values: bands.flatMap((n): [string, number][] => [
        [`RADIANCE_MULT_BAND_${n}`, 1.2e-2 + n * 1e-4],
        [`RADIANCE_ADD_BAND_${n}`, -60 - n],
        [`REFLECTANCE_MULT_BAND_${n}`, 2.0e-5],
        [`REFLECTANCE_ADD_BAND_${n}`, -0.1],
      ]),
    },
  ];
}

export function level1Groups(product = L1_PRODUCT): Group[] {
  const groups = level2Groups(product).filter((g) => g.name !== 'LEVEL2_SURFACE_REFLECTANCE_PARAMETERS');
  const contents = groups[0];
  contents.values = contents.values.map(([k, v]): [string, string | number] => (k === 'PROCESSING_LEVEL' ? [k, 'L1TP'] : [k, typeof v === 'string' ? v.replace(/_SR_B/, '_B').replace('_ST_B10', '_B10') : v]));
  contents.values = contents.values.map(([k, v]): [string, string | number] => (k === 'FILE_NAME_BAND_ST_B10' ? ['FILE_NAME_BAND_10', v] : [k, v]));
  return groups;
}

function odlValue(v: string | number): string {
  return typeof v === 'number' ? String(v) : `"${v}"`;
}

export function mtlText(groups: Group[]): string {
  const lines = ['GROUP = LANDSAT_METADATA_FILE'];
  for (const g of groups) {
    lines.push(`  GROUP = ${g.name}`);
    for (const [k, v] of g.values) lines.push(`    ${k} = ${odlValue(v)}`);
    lines.push(`  END_GROUP = ${g.name}`);
  }
  lines.push('END_GROUP = LANDSAT_METADATA_FILE', 'END');
  return `${lines.join('\n')}\n`;
}

export function mtlXml(groups: Group[]): string {
  const body = groups.map((g) => `  <${g.name}>\n${g.values.map(([k, v]) => `    <${k}>${v}</${k}>`).join('\n')}\n  </${g.name}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LANDSAT_METADATA_FILE>\n${body}\n</LANDSAT_METADATA_FILE>\n`;
}

export function mtlJson(groups: Group[]): string {
  const root: Record<string, Record<string, string>> = {};
  for (const g of groups) root[g.name] = Object.fromEntries(g.values.map(([k, v]) => [k, String(v)]));
  return JSON.stringify({ LANDSAT_METADATA_FILE: root }, null, 2);
}

/** A 16 x 16 uint16 band file in UTM 10N. */
export async function writeBand(path: string, value: (i: number) => number): Promise<void> {
  const data = new Uint16Array(256).map((_, i) => value(i));
  await writeCog(path, { width: 16, height: 16, bandCount: 1, sampleType: 'uint16', georeference: { geoTransform: [500000, 30, 0, 4200000, 0, -30], epsg: 32610, geoKeys: null } }, [data]);
}
