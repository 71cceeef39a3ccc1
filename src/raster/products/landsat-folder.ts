/**
 * Landsat Collection 2 Level-1 / Level-2 folders (or the .tar USGS delivers, read in place) as images: each `<product>_MTL.txt|xml|json`
 * (the text one first when several encodings sit together) names its band files
 * (FILE_NAME_BAND_n), which must be present; reflectance comes from the MTL (Level-1: TOA
 * REFLECTANCE_MULT/ADD divided by the sine of the sun elevation; Level-2: the surface reflectance
 * rescaling), and QA_PIXEL beside them is the default mask.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AutocmError } from '../../util/errors.js';
import { parseLandsatMtl, type Coefficients, type LandsatMtl } from './landsat-mtl.js';
import { readMember, tarMembers, type TarMember } from './tar-index.js';
import { emptyProductMetadata, type ProductImage } from './product-metadata.js';

const mtlName = /^(.+)_MTL\.(txt|xml|json)$/i;
const encodingOrder = ['txt', 'xml', 'json'];

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AutocmError(`cannot read the MTL file: ${(error as Error).message}`, path);
  }
}

/** Reflective band files: not thermal (ST_B10, B10, B11, B6 of TM) or the pan band (B8, on a 15 m grid). */
function isReflective(band: string, mtl: LandsatMtl): boolean {
  if (/^ST_/.test(band)) return false;
  const oli = /OLI/.test(mtl.sensor ?? '') || /^LC0[89]|^LO0[89]/.test(mtl.productId ?? '');
  const plain = band.replace(/^SR_/, '');
  return oli ? !['B8', 'B10', 'B11'].includes(plain) : !['B6', 'B6_VCID_1', 'B6_VCID_2', 'B8'].includes(plain);
}

/** Where a product's files lie: a folder, or a tar archive read in place. */
interface ProductFiles {
  names: string[];
  read(name: string): string;
  pathOf(name: string): string;
}

/** The image of one MTL, or null when the MTL names no band file (a stub or a foreign file: the folder is read as plain files). */
function productImage(files: ProductFiles, mtlFile: string): ProductImage | null {
  const mtl = parseLandsatMtl(files.read(mtlFile), files.pathOf(mtlFile));
  const listed = [...mtl.bandFiles.entries()].filter(([band]) => isReflective(band, mtl));
  if (listed.length === 0) return null;
  const present = new Set(files.names);
  const missing = listed.filter(([, name]) => !present.has(name));
  if (missing.length > 0) {
    throw new AutocmError(`band file ${missing[0][1]} named by ${mtlFile} is missing${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`, files.pathOf(missing[0][1]));
  }
  const level2 = /^L2/.test(mtl.level ?? '') || listed.some(([band]) => band.startsWith('SR_'));
  const number = /(\d)$/.exec(mtl.spacecraft ?? '')?.[1];
  const product = emptyProductMetadata(`Landsat${number ? ` ${number}` : ''} ${mtl.sensor ?? ''} Collection ${mtl.collection ?? '?'} ${mtl.level ?? (level2 ? 'Level-2' : 'Level-1')}`.replace(/\s+/g, ' '));
  product.version = mtl.collection ? `C${mtl.collection}` : null;
  product.files = [files.pathOf(mtlFile)];
  product.sunAzimuth = mtl.sunAzimuth;
  product.sunZenith = mtl.sunElevation !== null ? 90 - mtl.sunElevation : null;
  product.cloudCover = mtl.cloudCover;
  if (mtl.productId) product.metadata.LANDSAT_PRODUCT_ID = mtl.productId;
  const sine = mtl.sunElevation !== null ? Math.sin((mtl.sunElevation * Math.PI) / 180) : null;
  for (const [band] of listed) {
    const plain = band.replace(/^SR_/, '');
    const c: Coefficients | undefined = level2 ? mtl.surfaceReflectance.get(plain) : mtl.toaReflectance.get(plain);
    if (!c) continue;
    product.bandScaling[plain] = level2 || sine === null ? { scale: c.mult, offset: c.add } : { scale: c.mult / sine, offset: c.add / sine };
  }
  product.scalingNote = level2
    ? `Landsat surface reflectance from ${mtlFile} (LEVEL2_SURFACE_REFLECTANCE_PARAMETERS: DN * MULT + ADD)`
    : `Landsat TOA reflectance from ${mtlFile} (REFLECTANCE_MULT/ADD${sine !== null ? ` / sin(sun elevation ${mtl.sunElevation})` : ''})`;
  const qa = mtl.qaPixelFile ?? files.names.find((n) => n.startsWith(mtlName.exec(mtlFile)![1]) && /_QA_PIXEL\.TIF$/i.test(n));
  if (qa && present.has(qa)) product.mask = { path: files.pathOf(qa), format: 'qa-pixel' };
  const id = mtl.productId ?? mtlName.exec(mtlFile)![1];
  return { id, files: listed.map(([band, name]) => ({ path: files.pathOf(name), band })), product, date: mtl.date };
}

function imagesOf(files: ProductFiles): ProductImage[] | null {
  const names = files.names.filter((n) => mtlName.test(n) && /^L[CEOTM]0\d_/i.test(n));
  if (names.length === 0) return null;
  const byProduct = new Map<string, string>();
  for (const name of names.sort((a, b) => encodingOrder.indexOf(mtlName.exec(a)![2].toLowerCase()) - encodingOrder.indexOf(mtlName.exec(b)![2].toLowerCase()))) {
    const product = mtlName.exec(name)![1];
    if (!byProduct.has(product)) byProduct.set(product, name);
  }
  const images = [...byProduct.values()].sort().map((name) => productImage(files, name)).filter((image): image is ProductImage => image !== null);
  return images.length > 0 ? images : null;
}

/** One image per Landsat product whose MTL lies in the folder, or null when none does. */
export function landsatImages(folder: string): ProductImage[] | null {
  return imagesOf({ names: readdirSync(folder), read: (name) => readText(join(folder, name)), pathOf: (name) => join(folder, name) });
}

/** One image per Landsat product of a .tar archive as USGS delivers it, read in place (`/vsitar/` paths), or null when it holds no MTL. */
export function landsatTarImages(archive: string): ProductImage[] | null {
  let members: TarMember[];
  try {
    members = tarMembers(archive);
  } catch (error) {
    if (error instanceof AutocmError) throw error;
    throw new AutocmError(`cannot read the tar archive: ${(error as Error).message}`, archive);
  }
  const byName = new Map(members.map((m) => [basename(m.name), m]));
  return imagesOf({
    names: [...byName.keys()],
    read: (name) => readMember(archive, byName.get(name)!).toString('utf8'),
    pathOf: (name) => (byName.has(name) ? `/vsitar/${archive}/${byName.get(name)!.name}` : `${archive}/${name}`),
  });
}
