/**
 * PlanetScope orders as images: the folder (and its subfolders, as Planet's downloads nest them)
 * holds `<scene>_3B_AnalyticMS[_SR][_8b][_harmonized][_clip].tif` files; per scene id one image
 * (surface reflectance preferred over radiance, 8 bands over 4), paired by scene id with its
 * metadata XML (TOA reflectance coefficients, sun angles), its `_metadata.json`, and its UDM2 as
 * the default mask. Radiance (AnalyticMS) becomes TOA reflectance with the XML coefficients.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanetJson, parsePlanetXml, type PlanetSceneMetadata } from './planet-metadata.js';
import { emptyProductMetadata, type ProductImage } from './product-metadata.js';

const scene = String.raw`(\d{8}_\d{6}(?:_\d{2})?_[0-9a-f]{4})`;
const analytic = new RegExp(`^${scene}_3B_(AnalyticMS(?:_SR)?)(_8b)?((?:_harmonized|_clip|_file_format)*)\\.tiff?$`, 'i');
const preference = ['AnalyticMS_SR_8b', 'AnalyticMS_SR', 'AnalyticMS_8b', 'AnalyticMS'];

function filesUnder(folder: string, depth: number): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats?.isFile()) out.push(path);
    else if (stats?.isDirectory() && depth > 0) out.push(...filesUnder(path, depth - 1));
  }
  return out;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function sceneImage(id: string, image: { path: string; asset: string }, files: string[]): ProductImage {
  const eight = image.asset.endsWith('_8b');
  const sr = image.asset.includes('_SR');
  const ofScene = files.filter((f) => baseName(f).startsWith(`${id}_`));
  const xmlPattern = new RegExp(`_3B_AnalyticMS${eight ? '_8b' : ''}_metadata(_clip)?\\.xml$`, 'i');
  const xmlFile = ofScene.find((f) => xmlPattern.test(baseName(f)));
  const jsonFile = ofScene.find((f) => /_metadata\.json$/i.test(baseName(f)) && !/_3B_/.test(baseName(f)));
  const udm2 = ofScene.find((f) => /_3B_udm2(_clip)?\.tiff?$/i.test(baseName(f)));
  const fromXml: PlanetSceneMetadata | null = xmlFile ? parsePlanetXml(readFileSync(xmlFile, 'utf8')) : null;
  const fromJson: PlanetSceneMetadata | null = jsonFile ? parsePlanetJson(readFileSync(jsonFile, 'utf8'), jsonFile) : null;
  const product = emptyProductMetadata(`PlanetScope ${image.asset}`);
  product.version = fromXml?.productType ?? fromJson?.productType ?? null;
  product.files = [xmlFile, jsonFile].filter((f): f is string => f !== undefined);
  const elevation = fromXml?.sunElevation ?? fromJson?.sunElevation ?? null;
  product.sunAzimuth = fromXml?.sunAzimuth ?? fromJson?.sunAzimuth ?? null;
  product.sunZenith = elevation === null ? null : 90 - elevation;
  product.cloudCover = fromXml?.cloudCover ?? fromJson?.cloudCover ?? null;
  product.metadata.PLANET_ASSET = image.asset;
  const bandCount = eight ? 8 : 4;
  if (sr) {
    for (let b = 1; b <= bandCount; b++) product.bandScaling[`B${b}`] = { scale: 1e-4, offset: 0 };
    product.scalingNote = 'PlanetScope surface reflectance: DN / 10000';
  } else if (fromXml && fromXml.bands.length === bandCount && fromXml.bands.every((b) => b.reflectanceCoefficient !== null)) {
    for (const b of fromXml.bands) product.bandScaling[`B${b.band}`] = { scale: b.reflectanceCoefficient!, offset: 0 };
    product.scalingNote = `PlanetScope TOA reflectance = DN * reflectanceCoefficient (${baseName(xmlFile!)})`;
  } else {
    product.scalingNote = `PlanetScope radiance without reflectance coefficients (no ${xmlFile ? 'complete ' : ''}metadata XML): profile default DN / 10000`;
  }
  if (udm2) product.mask = { path: udm2, format: 'udm2' };
  return { id, files: [{ path: image.path, band: '' }], product, date: fromXml?.acquired ?? fromJson?.acquired ?? null };
}

/** One image per PlanetScope scene of the folder, or null when the folder holds no AnalyticMS file. */
export function planetImages(folder: string): ProductImage[] | null {
  const files = filesUnder(folder, 3);
  const byScene = new Map<string, { path: string; asset: string }[]>();
  for (const path of files) {
    const match = analytic.exec(baseName(path));
    if (!match) continue;
    const asset = `${match[2]}${match[3] ?? ''}`;
    if (!byScene.has(match[1])) byScene.set(match[1], []);
    byScene.get(match[1])!.push({ path, asset });
  }
  if (byScene.size === 0) return null;
  return [...byScene.entries()].sort().map(([id, candidates]) => {
    const best = candidates.sort((a, b) => preference.indexOf(a.asset) - preference.indexOf(b.asset))[0];
    return sceneImage(id, best, files);
  });
}
