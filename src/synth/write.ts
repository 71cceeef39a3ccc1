import { join } from 'node:path';
import { writeCog } from '../raster/cog-writer.js';
import type { Georeference, TypedArray } from '../raster/types.js';
import { writeFileAtomically } from '../util/atomic.js';
import { version } from '../version.js';
import type { SunGeometry } from './atmosphere.js';
import type { SyntheticDateFigures, SyntheticDateStream, SyntheticStackInfo } from './generate.js';
import { LAND_COVER_NAMES } from './landscape.js';

/** File names of one date, relative to the stack folder (the layout of ../shared/data, plus surface/). */
export function syntheticFileNames(date: string): { image: string; mask: string; surface: string } {
  const key = date.replaceAll('-', '');
  return { image: `img_${key}.tif`, mask: join('masks', `mask_${key}.tif`), surface: join('surface', `surface_${key}.tif`) };
}

/** The fields of manifest.json that plain and semi-synthetic (--ground) stacks share. */
export interface ManifestHeader {
  name: string;
  generator: string;
  autocmVersion: string;
  seed: number;
  sensor: string;
  sensorDescription: string;
  crs: string;
  geotransform: number[] | null;
  size: [number, number];
  bands: string[];
  wavelengthsNm: number[];
  scale: string;
  mask_classes: Record<string, string>;
  cloudOpacityThreshold: number;
}

export interface SyntheticManifest extends ManifestHeader {
  options: SyntheticStackInfo['options'];
  landCoverClasses: Record<string, string>;
  events: { flood: string[]; harvest: string[] };
  dates: (SyntheticDateFigures & {
    date: string;
    image: string;
    mask: string;
    surface: string;
    sunAzimuthDeg: number;
    sunElevationDeg: number;
    shadowOffsetPx: [number, number];
  })[];
}

export const MASK_CLASSES: Record<string, string> = {
  '0': 'clear (incl. water, snow, faint haze or cirrus below the opacity threshold)',
  '1': 'cloud',
  '2': 'cloud shadow',
  '255': 'nodata',
};

export type ManifestDateEntry = SyntheticManifest['dates'][number];

/** A date's entry in manifest.json: its files, figures and sun. */
export function manifestDateEntry(d: SyntheticDateFigures & { date: string; sun: SunGeometry }): ManifestDateEntry {
  const round = (value: number, digits = 5) => Number(value.toFixed(digits));
  const names = syntheticFileNames(d.date);
  return {
    date: d.date,
    image: names.image,
    mask: names.mask,
    surface: names.surface,
    cloudFraction: round(d.cloudFraction),
    shadowFraction: round(d.shadowFraction),
    nodataFraction: round(d.nodataFraction),
    cloudCoverTarget: round(d.cloudCoverTarget),
    hazeMaxOpacity: round(d.hazeMaxOpacity),
    cirrusMaxOpacity: round(d.cirrusMaxOpacity),
    shadowDarkness: round(d.shadowDarkness),
    sunAzimuthDeg: round(d.sun.azimuthDeg, 3),
    sunElevationDeg: round(d.sun.elevationDeg, 3),
    shadowOffsetPx: d.sun.shadowOffsetPx,
    events: d.events,
  };
}

/** manifest.json of a stack, from its dates' entries (manifestDateEntry) in date order. */
export function syntheticManifest(stack: SyntheticStackInfo, dates: ManifestDateEntry[]): SyntheticManifest {
  return {
    name: `synthetic-${stack.sensor.name}-seed${stack.options.seed}`,
    generator: 'autocm synth (src/synth): synthetic land surface, clouds, haze, cirrus and shadows with exact truth',
    autocmVersion: version,
    seed: stack.options.seed,
    options: stack.options,
    sensor: stack.sensor.name,
    sensorDescription: stack.sensor.description,
    crs: `EPSG:${stack.georeference.epsg}`,
    geotransform: stack.georeference.geoTransform,
    size: [stack.width, stack.height],
    bands: stack.bandNames,
    wavelengthsNm: stack.sensor.wavelengthsNm,
    scale: `reflectance = DN * ${stack.sensor.dnScale} + ${stack.sensor.dnOffset} (uint16), nodata 0; surface/ holds float32 reflectance`,
    mask_classes: MASK_CLASSES,
    cloudOpacityThreshold: stack.cloudOpacityThreshold,
    landCoverClasses: Object.fromEntries(Object.entries(LAND_COVER_NAMES)),
    events: {
      flood: dates.filter((d) => d.events.includes('flood')).map((d) => d.date),
      harvest: dates.filter((d) => d.events.includes('harvest')).map((d) => d.date),
    },
    dates,
  };
}

/** How the files of one date are written: the grid, and the image's encoding and metadata. */
export interface DateFilesLayout {
  width: number;
  height: number;
  georeference: Georeference;
  bandDescriptions: string[];
  imageSampleType: 'uint8' | 'uint16' | 'float32';
  imageNodata: number;
  /** Per-band GDAL metadata of the image (e.g. SCALE, OFFSET). */
  imageBandMetadata?: Record<string, string>[];
  /** Metadata of all three files, then the image's own items. */
  metadata(date: string): Record<string, string>;
  imageMetadata(date: string): Record<string, string>;
}

export interface DateLayers {
  date: string;
  image: TypedArray[];
  truth: Uint8Array;
  surface: Float32Array[];
}

/**
 * Writes one date as COGs into `dir`: img_YYYYMMDD.tif, masks/mask_YYYYMMDD.tif (uint8 truth,
 * nodata 255) and surface/surface_YYYYMMDD.tif (float32 clear-sky reflectance; nodata NaN only
 * when it holds NaN). Each file appears atomically.
 */
export async function writeDateFiles(dir: string, layout: DateFilesLayout, layers: DateLayers): Promise<void> {
  const { width, height, georeference, bandDescriptions } = layout;
  // The same 512 px blocks as predict, so that truth and predicted masks can be drawn together in the viewer.
  const common = { width, height, georeference, blockSize: 512 };
  const names = syntheticFileNames(layers.date);
  const metadata = layout.metadata(layers.date);
  await writeCog(
    join(dir, names.image),
    {
      ...common,
      bandCount: layers.image.length,
      sampleType: layout.imageSampleType,
      nodata: layout.imageNodata,
      bandDescriptions,
      ...(layout.imageBandMetadata ? { bandMetadata: layout.imageBandMetadata } : {}),
      overviewResampling: 'average',
      metadata: { ...metadata, ...layout.imageMetadata(layers.date) },
    },
    layers.image,
  );
  await writeCog(
    join(dir, names.mask),
    {
      ...common,
      bandCount: 1,
      sampleType: 'uint8',
      nodata: 255,
      bandDescriptions: ['truth'],
      overviewResampling: 'nearest',
      metadata: { ...metadata, CLASSES: '0 clear, 1 cloud, 2 cloud shadow, 255 nodata' },
    },
    [layers.truth],
  );
  await writeCog(
    join(dir, names.surface),
    {
      ...common,
      bandCount: layers.surface.length,
      sampleType: 'float32',
      nodata: layers.surface.some((band) => band.some(Number.isNaN)) ? Number.NaN : null,
      bandDescriptions,
      overviewResampling: 'average',
      metadata: { ...metadata, CONTENT: 'clear-sky reflectance (no clouds, haze, shadows, noise or nodata)' },
    },
    layers.surface,
  );
}

/**
 * Writes the stack as COGs into `dir` (see writeDateFiles; images are uint16 DN, nodata 0),
 * then manifest.json (written last). The dates are written as the iteration yields them and
 * not kept, so a SyntheticDateStream is written holding one date at a time.
 */
export async function writeSyntheticStack(
  stack: SyntheticDateStream,
  dir: string,
  onProgress?: (datesDone: number, datesTotal: number) => void,
): Promise<SyntheticManifest> {
  const total = stack.options.dates;
  const entries: ManifestDateEntry[] = [];
  for (const d of stack.dates) {
    await writeDateFiles(dir, syntheticLayout(stack, d.sun), { date: d.date, image: d.dn, truth: d.truth, surface: d.surface });
    entries.push(manifestDateEntry(d));
    onProgress?.(entries.length, total);
  }
  const manifest = syntheticManifest(stack, entries);
  await writeFileAtomically(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The file layout of a date of a plain synthetic stack, whose image carries the date's sun angles. */
function syntheticLayout(stack: SyntheticStackInfo, sun: SunGeometry): DateFilesLayout {
  const { sensor } = stack;
  return {
    width: stack.width,
    height: stack.height,
    georeference: stack.georeference,
    bandDescriptions: stack.bandNames,
    imageSampleType: 'uint16',
    imageNodata: 0,
    // The sensor id stays out of the metadata: detection reads every value (see manifest.json).
    metadata: (date) => ({ ACQUISITION_DATE: date, AUTOCM_SYNTHETIC_SEED: String(stack.options.seed) }),
    // SUN_AZIMUTH, SUN_ELEVATION (degrees): read by predict's shadow step.
    imageMetadata: (date) => ({
      ...sensor.detectionMetadata(date),
      REFLECTANCE: `DN * ${sensor.dnScale} + ${sensor.dnOffset}`,
      SUN_AZIMUTH: sun.azimuthDeg.toFixed(3),
      SUN_ELEVATION: sun.elevationDeg.toFixed(3),
    }),
  };
}
