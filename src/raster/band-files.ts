/**
 * One image made of single-band files on one grid (`*_B02.tif`, `*_SR_B4.TIF`): a RasterSource
 * whose band b is band 0 of file b. All files must share size, CRS, geotransform and sample type.
 */
import { AutocmError } from '../util/errors.js';
import type { RasterInfo, RasterSource, ReadOptions, Window, WindowData } from './types.js';

export interface BandFile {
  /** The band name to give this file's band (becomes its band description). */
  band: string;
  source: RasterSource;
}

/** `LC09_..._SR_B4.TIF` -> { stem: 'LC09_...', band: 'SR_B4' }; `T33UUU_..._B8A_20m.tif` (or .jp2) -> band 'B8A'. Null for other names. */
export function splitBandFileName(fileName: string): { stem: string; band: string } | null {
  const match = /^(.+?)_((?:SR_|ST_)?B(?:\d{1,2}|8A))(?:_[126]0m)?\.(?:tiff?|jp2)$/i.exec(fileName);
  return match ? { stem: match[1], band: match[2].toUpperCase() } : null;
}

/** Why two files are not on the same grid, or null when they are. */
export function gridDifference(a: RasterInfo, b: RasterInfo): string | null {
  if (a.width !== b.width || a.height !== b.height) return `size ${b.width} x ${b.height} differs from ${a.width} x ${a.height}`;
  if (a.epsg !== b.epsg) return `CRS EPSG:${b.epsg ?? 'none'} differs from EPSG:${a.epsg ?? 'none'}`;
  const ta = a.geoTransform;
  const tb = b.geoTransform;
  if ((ta === null) !== (tb === null)) return `georeferencing ${tb ? 'present' : 'absent'} differs from ${a.source}`;
  if (ta && tb) {
    const tolerance = 1e-6 * Math.max(Math.abs(ta[1]), Math.abs(ta[5]));
    if (ta.some((v, i) => Math.abs(v - tb[i]) > tolerance)) return `geotransform [${tb.join(', ')}] differs from [${ta.join(', ')}]`;
  }
  return null;
}

class BandFilesSource implements RasterSource {
  readonly info: RasterInfo;

  constructor(private readonly files: BandFile[]) {
    const first = files[0].source.info;
    const overviews: RasterInfo['overviews'] = [];
    for (let level = 0; level < first.overviews.length; level++) {
      const size = first.overviews[level];
      if (!files.every((f) => f.source.info.overviews[level]?.width === size.width && f.source.info.overviews[level]?.height === size.height)) break;
      overviews.push(size);
    }
    const nodataAgrees = files.every((f) => f.source.info.nodata === first.nodata || (Number.isNaN(f.source.info.nodata) && Number.isNaN(first.nodata)));
    this.info = {
      ...first,
      bandCount: files.length,
      nodata: nodataAgrees ? first.nodata : null,
      bandDescriptions: files.map((f) => f.band),
      bandMetadata: files.map((f) => f.source.info.bandMetadata?.[0] ?? {}),
      overviews,
    };
  }

  async readWindow(window: Window, options: ReadOptions = {}): Promise<WindowData> {
    const indices = options.bands ?? this.files.map((_, b) => b);
    for (const b of indices) {
      if (!Number.isInteger(b) || b < 0 || b >= this.files.length) throw new AutocmError(`band index ${b} out of range (the image has ${this.files.length} band files)`, this.info.source);
    }
    const reads = await Promise.all(indices.map((b) => this.files[b].source.readWindow(window, { level: options.level, signal: options.signal, bands: [0] })));
    return { window: { ...window }, bands: reads.map((r) => r.bands[0]) };
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.source.close()));
  }
}

/**
 * Combines single-band files into one RasterSource, in the order given. Refuses (and closes
 * every file) when a file has more than one band or is not on the first file's grid.
 */
export async function combineBandFiles(files: BandFile[]): Promise<RasterSource> {
  try {
    if (files.length === 0) throw new AutocmError('no band files to combine');
    const first = files[0].source.info;
    for (const { source } of files) {
      if (source.info.bandCount !== 1) throw new AutocmError(`a per-band file must have one band, found ${source.info.bandCount}`, source.info.source);
      const difference = gridDifference(first, source.info);
      if (difference) throw new AutocmError(`not on the grid of ${first.source}: ${difference}`, source.info.source);
      if (source.info.sampleType !== first.sampleType) {
        throw new AutocmError(`sample type ${source.info.sampleType} differs from ${first.sampleType} of ${first.source}`, source.info.source);
      }
    }
    return new BandFilesSource(files);
  } catch (error) {
    await Promise.all(files.map((f) => f.source.close()));
    throw error;
  }
}
