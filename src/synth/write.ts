import { join } from 'node:path';
import { writeCog } from '../raster/cog-writer.js';
import { writeFileAtomically } from '../util/atomic.js';
import { version } from '../version.js';
import type { SyntheticDateFigures, SyntheticStack } from './generate.js';
import { LAND_COVER_NAMES } from './landscape.js';

/** File names of one date, relative to the stack folder (the layout of ../shared/data, plus surface/). */
export function syntheticFileNames(date: string): { image: string; mask: string; surface: string } {
  const key = date.replaceAll('-', '');
  return { image: `img_${key}.tif`, mask: join('masks', `mask_${key}.tif`), surface: join('surface', `surface_${key}.tif`) };
}

export interface SyntheticManifest {
  name: string;
  generator: string;
  autocmVersion: string;
  seed: number;
  options: SyntheticStack['options'];
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

export function syntheticManifest(stack: SyntheticStack): SyntheticManifest {
  const round = (value: number, digits = 5) => Number(value.toFixed(digits));
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
    mask_classes: { '0': 'clear (incl. water, snow, faint haze or cirrus below the opacity threshold)', '1': 'cloud', '2': 'cloud shadow', '255': 'nodata' },
    cloudOpacityThreshold: stack.cloudOpacityThreshold,
    landCoverClasses: Object.fromEntries(Object.entries(LAND_COVER_NAMES)),
    events: {
      flood: stack.dates.filter((d) => d.events.includes('flood')).map((d) => d.date),
      harvest: stack.dates.filter((d) => d.events.includes('harvest')).map((d) => d.date),
    },
    dates: stack.dates.map((d) => {
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
    }),
  };
}

/**
 * Writes the stack as COGs into `dir`: img_YYYYMMDD.tif (uint16 DN, nodata 0),
 * masks/mask_YYYYMMDD.tif (uint8 truth, nodata 255), surface/surface_YYYYMMDD.tif (float32
 * clear-sky reflectance) and manifest.json (written last). Each file appears atomically.
 */
export async function writeSyntheticStack(
  stack: SyntheticStack,
  dir: string,
  onProgress?: (filesDone: number, filesTotal: number) => void,
): Promise<SyntheticManifest> {
  const { width, height, georeference, bandNames } = stack;
  const total = stack.dates.length;
  // The same 512 px blocks as predict, so that truth and predicted masks can be drawn together in the viewer.
  const common = { width, height, georeference, blockSize: 512 };
  for (const [index, d] of stack.dates.entries()) {
    const names = syntheticFileNames(d.date);
    const metadata = {
      ACQUISITION_DATE: d.date,
      // The sensor id stays out of the metadata: detection reads every value (see manifest.json).
      AUTOCM_SYNTHETIC_SEED: String(stack.options.seed),
    };
    await writeCog(
      join(dir, names.image),
      {
        ...common,
        bandCount: bandNames.length,
        sampleType: 'uint16',
        nodata: 0,
        bandDescriptions: bandNames,
        overviewResampling: 'average',
        metadata: { ...metadata, ...stack.sensor.detectionMetadata(d.date), REFLECTANCE: `DN * ${stack.sensor.dnScale} + ${stack.sensor.dnOffset}` },
      },
      d.dn,
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
      [d.truth],
    );
    await writeCog(
      join(dir, names.surface),
      {
        ...common,
        bandCount: bandNames.length,
        sampleType: 'float32',
        nodata: null,
        bandDescriptions: bandNames,
        overviewResampling: 'average',
        metadata: { ...metadata, CONTENT: 'clear-sky reflectance (no clouds, haze, shadows, noise or nodata)' },
      },
      d.surface,
    );
    onProgress?.(index + 1, total);
  }
  const manifest = syntheticManifest(stack);
  await writeFileAtomically(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
