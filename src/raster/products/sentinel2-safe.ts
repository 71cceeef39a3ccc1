/**
 * Sentinel-2 SAFE products as images: the SAFE root (MTD_MSIL1C.xml / MTD_MSIL2A.xml + GRANULE/),
 * a granule folder (MTD_TL.xml + IMG_DATA/), its IMG_DATA folder, or an L2A IMG_DATA/R10m folder.
 * Per granule one image: the JPEG 2000 band files (L2A: each band at its finest resolution), the
 * metadata (baseline, offsets, sun angles and grids) and the product mask (L2A: SCL; L1C:
 * MSK_CLASSI from baseline 04.00, MSK_CLOUDS GML before).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AutocmError } from '../../util/errors.js';
import { splitBandFileName } from '../band-files.js';
import { emptyProductMetadata, type ProductImage, type ProductMask } from './product-metadata.js';
import { SENTINEL2_BAND_IDS, baselineNumber, parseSentinel2Product, parseSentinel2Tile, type Sentinel2ProductInfo } from './sentinel2-metadata.js';

const productMtd = /^MTD_MSIL(1C|2A)\.xml$/i;

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function list(folder: string): string[] {
  return isDir(folder) ? readdirSync(folder).sort() : [];
}

/** The SAFE root and granule folders of a Sentinel-2 input folder, or null when it is none of the SAFE layouts. */
export function sentinel2Layout(folder: string): { root: string | null; granules: string[] } | null {
  const hasMtd = (f: string) => list(f).some((n) => productMtd.test(n));
  if (hasMtd(folder) || isDir(join(folder, 'GRANULE'))) {
    const granules = list(join(folder, 'GRANULE')).map((g) => join(folder, 'GRANULE', g)).filter(isDir);
    return { root: folder, granules };
  }
  const granuleOf = (f: string): string | null => (existsSync(join(f, 'MTD_TL.xml')) && isDir(join(f, 'IMG_DATA')) ? f : null);
  const granule = granuleOf(folder) ?? (basename(folder) === 'IMG_DATA' ? granuleOf(dirname(folder)) : null) ?? (/^R[126]0m$/.test(basename(folder)) ? granuleOf(dirname(dirname(folder))) : null);
  if (!granule) return null;
  const root = dirname(dirname(granule));
  return { root: hasMtd(root) ? root : null, granules: [granule] };
}

/** Band files of a granule: IMG_DATA/*.jp2 (L1C) or IMG_DATA/R{10,20,60}m/*.jp2 (L2A), finest resolution per band. */
function bandFiles(imgData: string): { path: string; band: string }[] {
  const folders = [imgData, ...['R10m', 'R20m', 'R60m'].map((r) => join(imgData, r)).filter(isDir)];
  const byBand = new Map<string, string>();
  for (const folder of folders) {
    for (const name of list(folder)) {
      const split = /\.jp2$/i.test(name) ? splitBandFileName(name) : null;
      if (split && !byBand.has(split.band)) byBand.set(split.band, join(folder, name));
    }
  }
  const order = SENTINEL2_BAND_IDS;
  return [...byBand.entries()].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])).map(([band, path]) => ({ path, band }));
}

/** Every IMAGE_FILE of the product metadata that is a band of this granule must exist. */
function checkListedBands(root: string, info: Sentinel2ProductInfo, granule: string): void {
  const granuleName = basename(granule);
  for (const entry of info.imageFiles) {
    if (!entry.includes(`/${granuleName}/`) || !/_B(\d{2}|8A)(_[126]0m)?$/.test(entry)) continue;
    const path = join(root, `${entry}.jp2`);
    if (!existsSync(path)) throw new AutocmError(`band file ${basename(path)} listed in ${basename(root)}/MTD_MSIL*.xml is missing`, path);
  }
}

function findMask(granule: string, level: string | null, baseline: number | null, tileMasks: Map<string, string>, root: string | null): ProductMask | null {
  if (level === 'L2A') {
    for (const folder of [join(granule, 'IMG_DATA', 'R20m'), join(granule, 'IMG_DATA', 'R60m'), join(granule, 'IMG_DATA')]) {
      const scl = list(folder).find((n) => /_SCL(_[26]0m)?\.jp2$/i.test(n));
      if (scl) return { path: join(folder, scl), format: 'scl' };
    }
    return null;
  }
  const qi = join(granule, 'QI_DATA');
  const listed = (type: string, ext: string): string | null => {
    const entry = tileMasks.get(type);
    if (!entry) return null;
    const path = join(root ?? dirname(dirname(granule)), /\.\w+$/.test(entry) ? entry : `${entry}${ext}`);
    return existsSync(path) ? path : existsSync(join(qi, basename(path))) ? join(qi, basename(path)) : null;
  };
  const classi = listed('MSK_CLASSI', '.jp2') ?? (existsSync(join(qi, 'MSK_CLASSI_B00.jp2')) ? join(qi, 'MSK_CLASSI_B00.jp2') : null);
  if (classi && (baseline === null || baseline >= 4)) return { path: classi, format: 'msk-classi' };
  const clouds = listed('MSK_CLOUDS', '.gml') ?? (existsSync(join(qi, 'MSK_CLOUDS_B00.gml')) ? join(qi, 'MSK_CLOUDS_B00.gml') : null);
  if (clouds) return { path: clouds, format: 'msk-clouds-gml' };
  return classi ? { path: classi, format: 'msk-classi' } : null;
}

function readXml(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AutocmError(`cannot read Sentinel-2 metadata: ${(error as Error).message}`, path);
  }
}

/** One image per granule of a Sentinel-2 SAFE input folder, or null when the folder is not one. */
export function sentinel2Images(folder: string): ProductImage[] | null {
  const layout = sentinel2Layout(folder);
  if (!layout) return null;
  if (layout.granules.length === 0) throw new AutocmError('Sentinel-2 SAFE folder without a GRANULE/<granule> folder', folder);
  const mtdName = layout.root ? list(layout.root).find((n) => productMtd.test(n)) : undefined;
  const productFile = mtdName && layout.root ? join(layout.root, mtdName) : null;
  const info = productFile ? parseSentinel2Product(readXml(productFile)) : null;
  return layout.granules.map((granule) => {
    const tileFile = join(granule, 'MTD_TL.xml');
    const tile = existsSync(tileFile) ? parseSentinel2Tile(readXml(tileFile)) : null;
    if (info && layout.root) checkListedBands(layout.root, info, granule);
    const imgData = join(granule, 'IMG_DATA');
    const files = bandFiles(imgData);
    if (files.length === 0) throw new AutocmError('Sentinel-2 granule without JPEG 2000 band files in IMG_DATA', imgData);
    const level = info?.level ?? (/^L2A_/.test(basename(granule)) ? 'L2A' : /^L1C_/.test(basename(granule)) ? 'L1C' : null);
    const baseline = info?.baseline ?? null;
    const product = emptyProductMetadata(`Sentinel-2 ${level ?? '?'} (SAFE${info?.spacecraft ? `, ${info.spacecraft}` : ''})`);
    product.version = baseline;
    product.files = [productFile, existsSync(tileFile) ? tileFile : null].filter((f): f is string => f !== null);
    product.sunZenith = tile?.meanSunZenith ?? null;
    product.sunAzimuth = tile?.meanSunAzimuth ?? null;
    const corner = tile?.geoposition.get(10) ?? tile?.geoposition.get(20) ?? tile?.geoposition.get(60);
    product.sunGrids =
      tile?.sunZenithGrid && tile.sunAzimuthGrid && corner ? { zenith: tile.sunZenithGrid, azimuth: tile.sunAzimuthGrid, originX: corner.ulx, originY: corner.uly } : null;
    product.cloudCover = tile?.cloudCover ?? info?.cloudCover ?? null;
    if (baseline) product.metadata.PROCESSING_BASELINE = baseline;
    if (info?.productUri) product.metadata.PRODUCT_URI = info.productUri;
    product.metadata.PRODUCT_TYPE = level === 'L2A' ? 'S2MSI2A' : 'S2MSI1C';
    if (level) product.metadata.PROCESSING_LEVEL = level === 'L2A' ? 'Level-2A' : 'Level-1C';
    const quantification = info?.quantification ?? 10000;
    const number = baselineNumber(baseline);
    for (const { band } of files) {
      const id = SENTINEL2_BAND_IDS.indexOf(band);
      const listedOffset = info?.addOffsets.get(id);
      const offset = listedOffset ?? (number !== null && number >= 4 ? -1000 : 0);
      product.bandScaling[band] = { scale: 1 / quantification, offset: offset / quantification };
    }
    const offsets = [...new Set(Object.values(product.bandScaling).map((v) => Math.round(v.offset * quantification)))];
    const dn = offsets.length === 1 ? (offsets[0] === 0 ? 'DN' : `(DN ${offsets[0] < 0 ? '-' : '+'} ${Math.abs(offsets[0])})`) : '(DN + per-band offset)';
    const from = info?.addOffsets.size ? `${level === 'L2A' ? 'BOA' : 'RADIO'}_ADD_OFFSET` : `baseline ${baseline ?? '?'}`;
    product.scalingNote = `Sentinel-2 ${level ?? ''} baseline ${baseline ?? '?'} (${mtdName ?? 'no product metadata'}): reflectance = ${dn} / ${quantification}${dn === 'DN' ? '' : `, offset from ${from}`}`;
    product.mask = findMask(granule, level, number, tile?.maskFiles ?? new Map(), layout.root);
    const stem = splitBandFileName(basename(files[0].path))?.stem ?? basename(granule);
    return { id: stem, files, product, date: tile?.sensingTime ?? info?.startTime ?? null };
  });
}
