import type { CogWriter, RasterSource, Window } from '../raster/types.js';
import { defaultShadowParameters, detectShadows, usableSun, type NamedBand, type ShadowParameters, type SunAngles } from '../shadow/index.js';
import { StreamingClassDilation } from './class-dilation.js';
import type { BandScaling } from './image-normalisation.js';

const MASK_NODATA = 255;

export interface ShadowPassOptions {
  /** Image band indices and canonical names of the bands the detector uses (nir first; swir1, red when present). */
  bands: { index: number; name: string }[];
  scaling: BandScaling[];
  nodata: number | null;
  pixelSize: number;
  sun?: SunAngles;
  /** --buffer radii in pixels. */
  cloudBuffer: number;
  shadowBuffer: number;
  /** Core rows per window (the halo comes on top). */
  windowRows?: number;
  parameters?: ShadowParameters;
  /**
   * Clear-sky reflectance of a window (same names as `bands`, NaN where unknown), e.g. the other
   * dates' composite in `predict --stack`: with it, darkness is measured against it.
   */
  reference?: (window: Window) => Promise<NamedBand[]>;
  /** Shadow probability output format, when one is written. */
  probabilityFormat?: 'uint8' | 'float32';
}

export interface ShadowPassStatistics {
  shadowPixels: number;
  cloudPixels: number;
  directionSources: string[];
}

/**
 * Second pass of predict: reads the written (unbuffered) cloud mask and the image's NIR / SWIR1 /
 * red in bands of rows with a halo of the largest shadow displacement above and below, finds the
 * shadows of each band (src/shadow), buffers cloud and shadow, and writes the final mask (and the
 * shadow probability). Memory: (window rows + 2 * halo) x scene width, whatever the scene height.
 */
export async function shadowPass(
  source: RasterSource,
  cloudMask: RasterSource,
  writers: { mask: CogWriter; shadowProbability?: CogWriter },
  options: ShadowPassOptions,
): Promise<ShadowPassStatistics> {
  const { width, height } = source.info;
  const parameters = { ...defaultShadowParameters, ...options.parameters };
  const sun = usableSun(options.sun) ? options.sun : undefined;
  const halo = sun ? Math.min(parameters.maxShift, Math.ceil(parameters.maxCloudHeight / Math.tan((Math.min(sun.elevation, 89.9) * Math.PI) / 180) / options.pixelSize)) : parameters.maxShift;
  const windowRows = options.windowRows ?? 512;
  const dilation = new StreamingClassDilation(width, height, options.cloudBuffer, options.shadowBuffer);
  const statistics: ShadowPassStatistics = { shadowPixels: 0, cloudPixels: 0, directionSources: [] };
  const probabilityFormat = options.probabilityFormat ?? 'uint8';
  for (let y = 0; y < height; y += windowRows) {
    const rows = Math.min(windowRows, height - y);
    const top = Math.max(0, y - halo);
    const bottom = Math.min(height, y + rows + halo);
    const window = { x: 0, y: top, width, height: bottom - top };
    const cloud = (await cloudMask.readWindow(window, { bands: [0] })).bands[0] as Uint8Array;
    const data = await source.readWindow(window, { bands: options.bands.map((b) => b.index) });
    const bands: NamedBand[] = options.bands.map((band, k) => ({ name: band.name, values: toReflectance(data.bands[k]!, options.scaling[k]!, options.nodata) }));
    // A pixel that is nodata in any band used is nodata for the detector.
    for (const { values } of bands) {
      for (let i = 0; i < cloud.length; i++) if (cloud[i] !== 1 && Number.isNaN(values[i]!)) cloud[i] = MASK_NODATA;
    }
    const reference = options.reference ? await options.reference(window) : undefined;
    const result = detectShadows({ width, height: window.height, bands, cloud, pixelSize: options.pixelSize, sun, reference }, parameters);
    statistics.directionSources.push(result.directionSource);
    const from = (y - top) * width;
    const core = new Uint8Array(rows * width);
    const probability = probabilityFormat === 'uint8' ? new Uint8Array(rows * width) : new Float32Array(rows * width);
    for (let i = 0; i < core.length; i++) {
      const c = cloud[from + i]!;
      core[i] = c === 1 ? 1 : c === MASK_NODATA ? MASK_NODATA : result.shadow[from + i] ? 2 : 0;
      const p = result.probability[from + i]!;
      probability[i] = probabilityFormat === 'uint8' ? (Number.isNaN(p) ? 255 : Math.round(100 * p)) : p;
    }
    const finished = dilation.push(core);
    for (const v of finished.rows) {
      if (v === 1) statistics.cloudPixels++;
      else if (v === 2) statistics.shadowPixels++;
    }
    const finishedRows = finished.rows.length / width;
    if (finishedRows > 0) await writers.mask.writeWindow({ window: { x: 0, y: finished.y, width, height: finishedRows }, bands: [finished.rows] });
    if (writers.shadowProbability) await writers.shadowProbability.writeWindow({ window: { x: 0, y, width, height: rows }, bands: [probability] });
  }
  return statistics;
}

function toReflectance(values: ArrayLike<number>, scaling: BandScaling, nodata: number | null): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = (nodata !== null && v === nodata) || !Number.isFinite(v) ? Number.NaN : v * scaling.scale + scaling.offset;
  }
  return out;
}
