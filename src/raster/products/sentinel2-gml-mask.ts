/**
 * Sentinel-2 L1C MSK_CLOUDS_B00.gml (baselines before 04.00): OPAQUE and CIRRUS polygons
 * (eop:MaskFeature > gml:Polygon exterior / interior rings as gml:posList) rasterised on the
 * granule's 60 m grid (MTD_TL.xml beside QI_DATA, else the GML envelope) as a plain mask:
 * 1 cloud where a pixel centre lies inside a polygon, else 0. Opened by openRaster like a raster.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AutocmError } from '../../util/errors.js';
import type { GeoTransform, RasterInfo, RasterSource, ReadOptions, Window, WindowData } from '../types.js';
import { parseSentinel2Tile } from './sentinel2-metadata.js';

export interface MaskPolygon {
  type: string;
  /** Rings (exterior first) as flat [x0, y0, x1, y1, ...] map coordinates. */
  rings: number[][];
}

export function parseGmlMask(gml: string): { polygons: MaskPolygon[]; envelope: [number, number, number, number] | null; epsg: number | null } {
  const polygons: MaskPolygon[] = [];
  for (const feature of gml.matchAll(/<eop:MaskFeature[\s\S]*?<\/eop:MaskFeature>/g)) {
    const type = /<eop:maskType[^>]*>([^<]+)</.exec(feature[0])?.[1]?.trim() ?? '';
    const rings = [...feature[0].matchAll(/<gml:posList[^>]*>([^<]+)</g)].map((m) => m[1].trim().split(/\s+/).map(Number));
    if (rings.length > 0) polygons.push({ type, rings });
  }
  const lower = /<gml:lowerCorner>([^<]+)</.exec(gml)?.[1]?.trim().split(/\s+/).map(Number);
  const upper = /<gml:upperCorner>([^<]+)</.exec(gml)?.[1]?.trim().split(/\s+/).map(Number);
  const envelope = lower && upper && lower.length >= 2 && upper.length >= 2 ? ([lower[0], lower[1], upper[0], upper[1]] as [number, number, number, number]) : null;
  const epsg = /EPSG(?::\d*)?:+(\d+)/.exec(gml)?.[1];
  return { polygons, envelope, epsg: epsg ? Number(epsg) : null };
}

/** Even-odd fill of the polygons at pixel centres of the grid (north-up geotransform). */
export function rasterisePolygons(polygons: MaskPolygon[], gt: GeoTransform, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const polygon of polygons) {
    for (let row = 0; row < height; row++) {
      const y = gt[3] + (row + 0.5) * gt[5];
      const crossings: number[] = [];
      for (const ring of polygon.rings) {
        for (let i = 0; i + 3 < ring.length + 2; i += 2) {
          const x1 = ring[i];
          const y1 = ring[i + 1];
          const x2 = ring[(i + 2) % ring.length];
          const y2 = ring[(i + 3) % ring.length];
          if (y1 === undefined || y2 === undefined || (y1 > y) === (y2 > y)) continue;
          crossings.push(x1 + ((y - y1) / (y2 - y1)) * (x2 - x1));
        }
      }
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const from = Math.max(0, Math.ceil((crossings[k] - gt[0]) / gt[1] - 0.5));
        const to = Math.min(width - 1, Math.floor((crossings[k + 1] - gt[0]) / gt[1] - 0.5));
        for (let col = from; col <= to; col++) out[row * width + col] = 1;
      }
    }
  }
  return out;
}

export function isGmlMaskPath(path: string): boolean {
  return /MSK_CLOUDS_B00\.gml$/i.test(path);
}

export async function openGmlMask(path: string): Promise<RasterSource> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AutocmError((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`, path);
  }
  const { polygons, envelope, epsg } = parseGmlMask(text);
  const tileFile = join(dirname(dirname(path)), 'MTD_TL.xml');
  const tile = existsSync(tileFile) ? parseSentinel2Tile(readFileSync(tileFile, 'utf8')) : null;
  const at60 = tile?.geoposition.get(60);
  let gt: GeoTransform;
  let width: number;
  let height: number;
  if (at60) {
    gt = [at60.ulx, at60.xdim, 0, at60.uly, 0, at60.ydim];
    // Every Sentinel-2 tile is 109.8 km square.
    width = height = Math.round(109800 / at60.xdim);
  } else if (envelope) {
    gt = [envelope[0], 60, 0, envelope[3], 0, -60];
    width = Math.round((envelope[2] - envelope[0]) / 60);
    height = Math.round((envelope[3] - envelope[1]) / 60);
  } else {
    throw new AutocmError('MSK_CLOUDS GML without an envelope, and no MTD_TL.xml beside QI_DATA to give its grid', path);
  }
  const mask = rasterisePolygons(polygons, gt, width, height);
  const info: RasterInfo = {
    source: path,
    width,
    height,
    bandCount: 1,
    sampleType: 'uint8',
    nodata: null,
    bandDescriptions: ['cloud'],
    bandMetadata: [{}],
    blockWidth: width,
    blockHeight: height,
    tiled: false,
    compression: 'gml',
    interleave: 'band',
    overviews: [],
    bigTiff: false,
    metadata: { MASK_POLYGONS: String(polygons.length) },
    geoTransform: gt,
    epsg: tile?.epsg ?? epsg,
    geoKeys: null,
  };
  return {
    info,
    async readWindow(window: Window, options: ReadOptions = {}): Promise<WindowData> {
      const { x, y, width: w, height: h } = window;
      if ((options.level ?? 0) !== 0 || x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
        throw new AutocmError(`window x=${x} y=${y} ${w}x${h} is outside the ${width}x${height} mask (level ${options.level ?? 0})`, path);
      }
      const out = new Uint8Array(w * h);
      for (let row = 0; row < h; row++) out.set(mask.subarray((y + row) * width + x, (y + row) * width + x + w), row * w);
      return { window: { ...window }, bands: (options.bands ?? [0]).map(() => out) };
    },
    async close(): Promise<void> {},
  };
}
