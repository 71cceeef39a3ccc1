/**
 * DN -> reflectance: `reflectance = DN * scale + offset` per band, with the per-image corrections
 * a profile's defaults cannot know: the Sentinel-2 processing baseline (>= 04.00 adds an offset
 * of -1000 DN) and the Landsat Level-1 MTL coefficients (REFLECTANCE_MULT/ADD_BAND_n, divided by
 * the sine of the sun elevation as USGS prescribes for TOA reflectance).
 *
 * Nodata convention: the output is a Float32Array with NaN wherever the input equals the nodata
 * value or is itself NaN/Inf; callers test `Number.isNaN`. Saturated values are kept (they are
 * mostly bright cloud).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AutocmError } from '../util/errors.js';
import type { SensorBand, SensorProfile } from './sensors.js';
import type { TypedArray } from './types.js';

export interface BandScaling {
  scale: number;
  offset: number;
}

/** A band of one image: its profile band with the scaling that applies to this image. */
export type ImageBand = SensorBand;

/** Converts one band of DN to reflectance; NaN at nodata and at non-finite inputs. */
export function toReflectance(scaling: BandScaling, data: TypedArray, nodata: number | null): Float32Array {
  const out = new Float32Array(data.length);
  const { scale, offset } = scaling;
  const hasNodata = nodata !== null && !Number.isNaN(nodata);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = (hasNodata && v === nodata) || !Number.isFinite(v) ? Number.NaN : v * scale + offset;
  }
  return out;
}

/**
 * Per-image converter for code that reads band subsets: `convert(bands, bandIndices)` turns the
 * data of the image's bands `bandIndices` into reflectance (NaN at nodata).
 */
export function reflectanceOf(image: { bands: BandScaling[]; nodata: number | null }): (bands: TypedArray[], bandIndices: number[]) => Float32Array[] {
  return (bands, bandIndices) => bands.map((data, k) => toReflectance(image.bands[bandIndices[k]], data, image.nodata));
}

/** Sentinel-2 processing baseline as a number (4.0 for 04.00), from metadata or the product name (`_N0400_`). */
export function sentinel2Baseline(metadata: Record<string, string>, names: string[]): { baseline: number | null; from: string } {
  for (const [key, value] of Object.entries(metadata)) {
    if (/PROCESSING_BASELINE|processing:version|s2:processing_baseline/i.test(key)) {
      const n = Number.parseFloat(value);
      if (Number.isFinite(n)) return { baseline: n, from: `metadata ${key}` };
    }
    if (/(BOA|RADIO)_ADD_OFFSET/i.test(key) && Number(value) === -1000) return { baseline: 4, from: `metadata ${key}=-1000` };
  }
  for (const name of [...names, ...Object.values(metadata)]) {
    const match = /_N(\d{2})(\d{2})(_|\b)/.exec(name);
    if (match) return { baseline: Number(match[1]) + Number(match[2]) / 100, from: `product name N${match[1]}${match[2]}` };
  }
  return { baseline: null, from: 'unknown: assumed before 04.00 (no offset)' };
}

/** REFLECTANCE_MULT_BAND_n / REFLECTANCE_ADD_BAND_n / SUN_ELEVATION from an MTL.txt or MTL.json. */
export interface MtlCoefficients {
  file: string;
  mult: Map<string, number>;
  add: Map<string, number>;
  sunElevation: number | null;
}

export function parseMtl(text: string, file: string): MtlCoefficients {
  const values = new Map<string, string>();
  if (text.trimStart().startsWith('{')) {
    const visit = (value: unknown): void => {
      if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
          if (inner && typeof inner === 'object') visit(inner);
          else values.set(key.toUpperCase(), String(inner));
        }
      }
    };
    try {
      visit(JSON.parse(text));
    } catch (error) {
      throw new AutocmError(`MTL file is not valid JSON: ${(error as Error).message}`, file);
    }
  } else {
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*([A-Z0-9_]+)\s*=\s*"?([^"]*)"?\s*$/.exec(line);
      if (match) values.set(match[1], match[2]);
    }
  }
  const mult = new Map<string, number>();
  const add = new Map<string, number>();
  for (const [key, value] of values) {
    const m = /^REFLECTANCE_(MULT|ADD)_BAND_(\w+)$/.exec(key);
    if (m && Number.isFinite(Number(value))) (m[1] === 'MULT' ? mult : add).set(`B${m[2]}`, Number(value));
  }
  const sun = Number(values.get('SUN_ELEVATION'));
  return { file, mult, add, sunElevation: Number.isFinite(sun) && sun > 0 ? sun : null };
}

/** The MTL file beside a local image or band file: `<product>_MTL.txt|json` with the same product prefix, else the only one in the folder. */
export function findMtlFile(path: string): string | null {
  if (/^https?:\/\//i.test(path)) return null;
  const folder = dirname(path);
  if (!existsSync(folder)) return null;
  const mtls = readdirSync(folder).filter((n) => /_MTL\.(txt|json)$/i.test(n));
  const product = /^(L[A-Z]\d{2}_\w{4}_\d{6}_\d{8}_\d{8}_\d{2}_\w{2})/.exec(basename(path))?.[1];
  const same = product ? mtls.filter((n) => n.startsWith(product)) : [];
  const pick = same.length > 0 ? same : mtls.length === 1 ? mtls : [];
  const txt = pick.find((n) => /\.txt$/i.test(n)) ?? pick[0];
  return txt ? join(folder, txt) : null;
}

export interface ScalingNote {
  /** How the scaling was decided, for `info` and the output metadata. */
  note: string;
  /** Set when the scaling is a guess the user should know about (unknown baseline, no MTL, int8 data). */
  guess?: string;
}

/**
 * The bands of one image with the scaling that applies to it. `files` are the image's file names
 * (one, or one per band) used to find the MTL file and the Sentinel-2 baseline.
 */
export function imageBandScaling(
  profile: SensorProfile,
  bands: SensorBand[],
  metadata: Record<string, string>,
  files: string[],
): { bands: ImageBand[]; note: string; guess?: string } {
  if (profile.id.startsWith('sentinel2')) {
    const { baseline, from } = sentinel2Baseline(metadata, files.map((f) => basename(f)));
    const shifted = baseline !== null && baseline >= 4;
    return {
      bands: bands.map((b) => (shifted ? { ...b, offset: b.offset - 1000 * b.scale } : { ...b })),
      note: `Sentinel-2 processing baseline ${baseline ?? '?'} (${from}): reflectance = ${shifted ? '(DN - 1000) / 10000' : 'DN / 10000'}`,
      ...(baseline === null
        ? { guess: 'Sentinel-2 processing baseline unknown: assumed before 04.00 (reflectance = DN / 10000); products of baseline 04.00 and later (from 2022-01-25) read 0.1 too bright this way. Keep the product name (_N0400_) or the PROCESSING_BASELINE metadata with the image' }
        : {}),
    };
  }
  if (/^landsat(89|457)-l1$/.test(profile.id)) {
    const mtlFile = files.map(findMtlFile).find((f) => f !== null) ?? null;
    if (mtlFile) {
      const mtl = parseMtl(readFileSync(mtlFile, 'utf8'), mtlFile);
      const sine = mtl.sunElevation !== null ? Math.sin((mtl.sunElevation * Math.PI) / 180) : 1;
      const scaled = bands.map((b) => {
        const mult = mtl.mult.get(b.name);
        const add = mtl.add.get(b.name);
        return mult !== undefined && add !== undefined ? { ...b, scale: mult / sine, offset: add / sine } : { ...b };
      });
      return { bands: scaled, note: `Landsat TOA reflectance from ${basename(mtlFile)} (REFLECTANCE_MULT/ADD${mtl.sunElevation !== null ? ` / sin(sun elevation ${mtl.sunElevation})` : ''})` };
    }
    return {
      bands: bands.map((b) => ({ ...b })),
      note: `no MTL file beside the image: profile default scaling (${profile.description})`,
      guess: `no Landsat MTL file beside the image: the profile's default reflectance scaling is used, not this scene's REFLECTANCE_MULT/ADD and sun elevation; put the scene's *_MTL.txt beside it`,
    };
  }
  return { bands: bands.map((b) => ({ ...b })), note: profile.description };
}
