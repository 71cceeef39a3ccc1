import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { inspectImage } from '../raster/inputs.js';
import { openRaster } from '../raster/open.js';
import type { RasterInfo } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import { displayBands, displayStretch } from './display.js';

/** One raster the viewer may fetch, addressed by its index (never by a client-supplied path). */
export interface ServedFile {
  id: number;
  path: string;
  url: string;
}

export interface RasterEntry {
  url: string;
  name: string;
  width: number;
  height: number;
  bandCount: number;
  geoTransform: number[] | null;
  epsg: number | null;
  nodata: number | null;
  /** Block size and overview sizes: rasters drawn in one layer must share it (OpenLayers' GeoTIFF source). */
  tileLayout: string;
}

export interface ImageEntry extends RasterEntry {
  stem: string;
  date: string | null;
  /** 0-based band indices shown as red, green, blue. */
  rgb: [number, number, number];
  /** Per displayed band: [min, max] of the 2-98 % stretch. */
  stretch: [number, number][];
  /** Common band names (blue, green, red, nir...) where the sensor is known, else the file's descriptions. */
  bandNames: string[];
  /** Per band [scale, offset] to reflectance from the detected sensor profile; null when unknown. */
  reflectanceScaling: [number, number][] | null;
  /** Layers that belong to this image, by group: e.g. {'predictions': {prob, mask}, 'reference': {mask}}. */
  layers: Record<string, { prob?: RasterEntry; mask?: RasterEntry }>;
}

export interface Catalog {
  images: ImageEntry[];
  /** Composites are shown like images (true colour); their `layers` stay empty. */
  composites: ImageEntry[];
  reports: { name: string; url: string }[];
}

const MAX_DEPTH = 4;

function inside(root: string, child: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The files under an input. A symbolic link inside it is followed only when its target lies
 * inside the input too: one that leaves it (`ln -s /etc x`) or leads nowhere is skipped with a
 * warning, so the viewer never serves what it was not given.
 */
async function walk(path: string, depth: number, found: string[], realRoot: string, warnings: string[]): Promise<void> {
  if (depth > 0 && (await lstat(path).catch(() => null))?.isSymbolicLink()) {
    const target = await realpath(path).catch(() => null);
    if (target === null) {
      warnings.push(`${path}: skipped, a symbolic link to nothing`);
      return;
    }
    if (!inside(realRoot, target)) {
      warnings.push(`${path}: skipped, a symbolic link to ${target} outside the given inputs`);
      return;
    }
  }
  const info = await stat(path).catch(() => null);
  if (!info) throw new AutocmError('no such file or folder', path);
  if (info.isFile()) {
    found.push(path);
    return;
  }
  if (!info.isDirectory() || depth > MAX_DEPTH) return;
  for (const name of (await readdir(path)).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    await walk(join(path, name), depth + 1, found, realRoot, warnings);
  }
}

const DATE_PATTERN = /(\d{4})-?(\d{2})-?(\d{2})/;

export function dateFromName(name: string): string | null {
  const match = DATE_PATTERN.exec(name);
  if (!match) return null;
  const [, y, m, d] = match;
  if (Number(m) < 1 || Number(m) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  return `${y}-${m}-${d}`;
}

function isTiff(path: string): boolean {
  return /\.tiff?$/i.test(path);
}

type Role =
  | { kind: 'prob' | 'mask'; stem: string; group: string }
  | { kind: 'composite' }
  | { kind: 'image'; stem: string }
  | { kind: 'ignore' };

/** Images `img_X`, reference masks `masks/mask_X` and outputs `img_X_cloudmask` all belong to key `X`. */
export function matchKey(stem: string): string {
  return stem.replace(/^(img|mask)_/, '');
}

/**
 * What a file is, from autocm's own naming: `<stem>_cloudprob.tif`, `masks/<stem>.tif`, `*composite*.tif`.
 * Predictions are grouped by their folder under the input; those at the input's top level go to
 * `topGroup`.
 */
export function classify(path: string, root: string, topGroup = 'predictions'): Role {
  const name = basename(path).replace(/\.tiff?$/i, '');
  const folder = relative(root, dirname(path)).split(/[\\/]/).filter(Boolean).join('/');
  const suffix = /^(.*)_cloud(prob|mask)$/.exec(name);
  if (suffix) return { kind: suffix[2] === 'prob' ? 'prob' : 'mask', stem: suffix[1]!, group: folder || topGroup };
  if (/composite/i.test(name)) return { kind: 'composite' };
  const lastFolder = basename(dirname(path));
  if (lastFolder === 'masks' || lastFolder === 'truth' || lastFolder === 'reference') return { kind: 'mask', stem: name, group: 'reference' };
  if (lastFolder === 'surface' || /(_count|_udm2)/i.test(name)) return { kind: 'ignore' };
  return { kind: 'image', stem: name };
}

/**
 * Builds the viewer's catalog from the files and folders it was given: the only files the
 * server will ever send are the ones registered here.
 */
export async function buildCatalog(inputs: string[]): Promise<{ catalog: Catalog; files: ServedFile[]; reportRoots: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const files: ServedFile[] = [];
  const register = (path: string): string => {
    const id = files.length;
    const url = `/files/${id}/${encodeURIComponent(basename(path))}`;
    files.push({ id, path, url });
    return url;
  };
  const images = new Map<string, ImageEntry>();
  const pending: { role: Role & { kind: 'prob' | 'mask' }; entry: RasterEntry }[] = [];
  const composites: ImageEntry[] = [];
  const reportRoots: string[] = [];

  for (const input of inputs) {
    const root = resolve(input);
    const found: string[] = [];
    const rootDir = (await stat(root).catch(() => null))?.isDirectory() ? root : dirname(root);
    await walk(root, 0, found, await realpath(rootDir).catch(() => rootDir), warnings);
    for (const path of found) {
      if (basename(path) === 'index.html' && path !== root) {
        reportRoots.push(dirname(path));
        continue;
      }
      if (!isTiff(path)) continue;
      // Two prediction folders given side by side (e.g. `predict` and `predict --stack` of one
      // stack) keep their own names, so that the page can swipe one against the other.
      const role = classify(path, rootDir, inputs.length > 1 ? basename(rootDir) : 'predictions');
      if (role.kind === 'ignore') continue;
      const source = await openRaster(path);
      try {
        const entry = rasterEntry(source.info, register(path));
        if (role.kind === 'composite' || role.kind === 'image') {
          if (source.info.bandCount < 3) continue;
          const stem = basename(path).replace(/\.tiff?$/i, '');
          const rgb = displayBands(source.info);
          const image: ImageEntry = {
            ...entry,
            stem,
            date: dateFromName(stem),
            rgb,
            stretch: await displayStretch(source, rgb),
            ...(await sensorBands(path, source.info)),
            layers: {},
          };
          if (role.kind === 'composite') composites.push(image);
          else images.set(matchKey(stem), image);
        } else {
          pending.push({ role, entry });
        }
      } finally {
        await source.close();
      }
    }
  }
  for (const { role, entry } of pending) {
    const image = images.get(matchKey(role.stem));
    if (!image) continue;
    const group = (image.layers[role.group] ??= {});
    group[role.kind] = entry;
  }
  const ordered = [...images.values()].sort((a, b) => (a.date ?? a.stem).localeCompare(b.date ?? b.stem));
  const reports = reportRoots.map((dir, i) => ({ name: basename(dir), url: `/reports/${i}/index.html` }));
  return { catalog: { images: ordered, composites, reports }, files, reportRoots, warnings };
}

/** Band names and reflectance scaling as `predict` would use them, so the page normalises alike. */
async function sensorBands(path: string, info: RasterInfo): Promise<Pick<ImageEntry, 'bandNames' | 'reflectanceScaling'>> {
  const inspected = await inspectImage({ id: basename(path), files: [{ path }] }, {}, true).catch(() => null);
  const image = inspected?.image;
  if (!image || image.bands.length !== info.bandCount) return { bandNames: info.bandDescriptions, reflectanceScaling: null };
  return { bandNames: image.bandNames, reflectanceScaling: image.bands.map((b) => [b.scale, b.offset]) };
}

function rasterEntry(info: RasterInfo, url: string): RasterEntry {
  return {
    url,
    name: basename(decodeURIComponent(url)),
    width: info.width,
    height: info.height,
    bandCount: info.bandCount,
    geoTransform: info.geoTransform,
    epsg: info.epsg,
    nodata: info.nodata,
    tileLayout: [`${info.width}x${info.height}/${info.blockWidth}x${info.blockHeight}`, ...info.overviews.map((o) => `${o.width}x${o.height}`)].join(' '),
  };
}
