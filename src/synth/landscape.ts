import { fbm, latticeHash, quantile, subSeed, voronoi } from './noise.js';
import {
  BARE_SOIL,
  DORMANT_VEGETATION,
  GREEN_VEGETATION,
  SNOW,
  URBAN,
  WATER,
  signatureForBands,
  type BandRanges,
} from './spectra.js';

/** Land-cover codes of the synthetic surface (per pixel, per date). */
export const LAND_COVER = { vegetation: 1, soil: 2, urban: 3, water: 4, snow: 5 } as const;
export type LandCoverCode = (typeof LAND_COVER)[keyof typeof LAND_COVER];
export const LAND_COVER_NAMES: Record<number, string> = { 1: 'vegetation', 2: 'soil', 3: 'urban', 4: 'water', 5: 'snow' };

/** Vegetation kinds, each with its own phenology. */
const CROP = 0;
const GRASSLAND = 1;
const FOREST = 2;

/** Fraction of the scene under permanent water, and under water during the flood. */
const WATER_FRACTION = 0.07;
const FLOOD_FRACTION = 0.15;

/** The static part of a synthetic scene, from which each date's clear-sky surface is derived. */
export interface Landscape {
  width: number;
  height: number;
  /** Static class before seasonal events: vegetation, soil, urban or water. */
  baseClass: Uint8Array;
  /** Smooth terrain height in [0, 1]: water sits low, snow lies high. */
  elevation: Float32Array;
  /** Where in each class's reflectance range a pixel sits, in [0, 1]. */
  spectralPosition: Float32Array;
  /** Multiplicative brightness texture around 1. */
  texture: Float32Array;
  /** Voronoi cell (field or parcel) of each pixel. */
  cell: Int32Array;
  /** Pixels on a field border (hedges, verges): stay green when fields are bare. */
  hedge: Uint8Array;
  /** Per cell id: vegetation kind, green-up shift (days), harvest date index (-1 = never); -1 kind = cell not in the image. */
  cellKind: Int8Array;
  cellShiftDays: Float32Array;
  cellHarvestIndex: Int32Array;
  waterLevel: number;
  floodLevel: number;
  /** Date indices of the abrupt events. */
  harvestDateIndices: number[];
  floodDateIndices: number[];
}

export function buildLandscape(size: number, dateCount: number, seed: number): Landscape {
  const width = size;
  const height = size;
  const pixels = width * height;
  const elevation = fbm(width, height, 0, 0, { seed: subSeed(seed, 1), period: size / 1.5, octaves: 5, persistence: 0.55 });
  const urbanness = fbm(width, height, 0, 0, { seed: subSeed(seed, 2), period: size / 2, octaves: 3 });
  const fineTexture = fbm(width, height, 0, 0, { seed: subSeed(seed, 3), period: 8, octaves: 3, persistence: 0.6 });
  const withinField = fbm(width, height, 0, 0, { seed: subSeed(seed, 4), period: size / 6, octaves: 3 });
  const cellSize = Math.max(16, Math.round(size / 8));
  const { cell, borderDistance, cellCount } = voronoi(width, height, cellSize, subSeed(seed, 5));

  const waterLevel = quantile(elevation, WATER_FRACTION);
  const floodLevel = quantile(elevation, FLOOD_FRACTION);
  const urbanLevel = quantile(urbanness, 0.85);

  // The abrupt events happen at fixed fractions of the series so every length has them.
  const harvestBase = Math.round(0.6 * (dateCount - 1));
  const floodStart = Math.round(0.35 * (dateCount - 1));
  const floodDateIndices = dateCount >= 4 ? [floodStart, floodStart + 1] : [];
  const harvestDateIndices = new Set<number>();

  const baseClass = new Uint8Array(pixels);
  const spectralPosition = new Float32Array(pixels);
  const texture = new Float32Array(pixels);
  const hedge = new Uint8Array(pixels);
  const cellKind = new Int8Array(cellCount).fill(-1);
  const cellShiftDays = new Float32Array(cellCount);
  const cellHarvestIndex = new Int32Array(cellCount).fill(-1);
  const cellClass = new Uint8Array(cellCount);
  const cellPosition = new Float32Array(cellCount);
  const classSeed = subSeed(seed, 6);

  for (let i = 0; i < pixels; i += 1) {
    const id = cell[i];
    if (cellKind[id] < 0) {
      const draw = latticeHash(id, 1, classSeed);
      // A cell is urban when the urban field is high at its first pixel: built-up areas cluster.
      const klass = urbanness[i] > urbanLevel ? LAND_COVER.urban : draw < 0.72 ? LAND_COVER.vegetation : LAND_COVER.soil;
      cellClass[id] = klass;
      cellPosition[id] = latticeHash(id, 2, classSeed);
      const kindDraw = latticeHash(id, 3, classSeed);
      cellKind[id] = kindDraw < 0.6 ? CROP : kindDraw < 0.85 ? GRASSLAND : FOREST;
      cellShiftDays[id] = -20 + 45 * latticeHash(id, 4, classSeed);
      const harvested = klass === LAND_COVER.vegetation && kindDraw < 0.6 && latticeHash(id, 5, classSeed) < 0.45 && dateCount >= 3;
      const harvestIndex = harvested ? Math.min(dateCount - 1, harvestBase + Math.floor(3 * latticeHash(id, 6, classSeed))) : -1;
      cellHarvestIndex[id] = harvestIndex;
      if (harvestIndex >= 0) harvestDateIndices.add(harvestIndex);
    }
    const textureNoise = (fineTexture[i] - 0.5) * 2;
    if (elevation[i] < waterLevel) {
      baseClass[i] = LAND_COVER.water;
      spectralPosition[i] = withinField[i];
      texture[i] = 1 + 0.03 * textureNoise;
      continue;
    }
    const klass = cellClass[id];
    baseClass[i] = klass;
    const position = 0.65 * cellPosition[id] + 0.35 * withinField[i];
    if (klass === LAND_COVER.urban) {
      // Blocky roofs and streets: a random level per 4 x 4 px block.
      const x = i % width;
      const y = (i - x) / width;
      spectralPosition[i] = 0.5 * position + 0.5 * latticeHash(x >> 2, y >> 2, classSeed ^ 0x2545f491);
      texture[i] = 1 + 0.15 * textureNoise;
    } else {
      spectralPosition[i] = position;
      texture[i] = 1 + 0.08 * textureNoise;
      if (borderDistance[i] < 1.2) hedge[i] = 1;
    }
  }
  return {
    width,
    height,
    baseClass,
    elevation,
    spectralPosition,
    texture,
    cell,
    hedge,
    cellKind,
    cellShiftDays,
    cellHarvestIndex,
    waterLevel,
    floodLevel,
    harvestDateIndices: [...harvestDateIndices].sort((a, b) => a - b),
    floodDateIndices: floodDateIndices.filter((index) => index < dateCount),
  };
}

/** Greenness in [0, 1] of a vegetation kind on a day of year (double-logistic phenology). */
export function greenness(kind: number, dayOfYear: number, shiftDays: number): number {
  const logistic = (x: number) => 1 / (1 + Math.exp(-x));
  if (kind === FOREST) return 0.6 + 0.4 * (logistic((dayOfYear - 120 - shiftDays / 2) / 10) - logistic((dayOfYear - 290) / 12));
  if (kind === GRASSLAND) return 0.3 + 0.6 * (logistic((dayOfYear - 95 - shiftDays) / 8) - logistic((dayOfYear - 285) / 12));
  return 0.05 + 0.95 * (logistic((dayOfYear - 120 - shiftDays) / 7) - logistic((dayOfYear - 235 - shiftDays) / 9));
}

/** Fraction of the high ground under snow on a day of year: most in mid-January, none from April to November. */
export function snowFraction(dayOfYear: number): number {
  const daysFromMidWinter = Math.min(Math.abs(dayOfYear - 15), 365 - Math.abs(dayOfYear - 15));
  return 0.3 * Math.max(0, 1 - daysFromMidWinter / 60);
}

/** Per-sensor spectral ranges of every surface material. */
export interface SurfaceSpectra {
  green: BandRanges;
  dormant: BandRanges;
  soil: BandRanges;
  urban: BandRanges;
  water: BandRanges;
  snow: BandRanges;
}

export function surfaceSpectra(wavelengthsNm: readonly number[]): SurfaceSpectra {
  return {
    green: signatureForBands(GREEN_VEGETATION, wavelengthsNm),
    dormant: signatureForBands(DORMANT_VEGETATION, wavelengthsNm),
    soil: signatureForBands(BARE_SOIL, wavelengthsNm),
    urban: signatureForBands(URBAN, wavelengthsNm),
    water: signatureForBands(WATER, wavelengthsNm),
    snow: signatureForBands(SNOW, wavelengthsNm),
  };
}

export interface DateSurface {
  /** Surface reflectance per band (before any top-of-atmosphere effect). */
  reflectance: Float32Array[];
  landCover: Uint8Array;
}

/**
 * The clear-sky surface of one date: phenology for vegetation, harvested fields turned to
 * stubble, flood water over the low ground, snow on the high ground in winter, and soil
 * darkened by the date's wetness.
 */
export function surfaceForDate(
  landscape: Landscape,
  spectra: SurfaceSpectra,
  dateIndex: number,
  dayOfYear: number,
  soilWetness: number,
): DateSurface {
  const { width, height } = landscape;
  const pixels = width * height;
  const bandCount = spectra.green.min.length;
  const reflectance = Array.from({ length: bandCount }, () => new Float32Array(pixels));
  const landCover = new Uint8Array(pixels);
  const flooded = landscape.floodDateIndices.includes(dateIndex);
  const snowShare = snowFraction(dayOfYear);
  const snowLevel = snowShare > 0 ? quantile(landscape.elevation, 1 - snowShare) : Infinity;
  const cellGreenness = new Float32Array(landscape.cellKind.length);
  landscape.cellKind.forEach((kind, id) => {
    if (kind >= 0) cellGreenness[id] = greenness(kind, dayOfYear, landscape.cellShiftDays[id]);
  });
  const soilDarkening = 1 - 0.12 * soilWetness;

  for (let i = 0; i < pixels; i += 1) {
    const base = landscape.baseClass[i];
    const position = landscape.spectralPosition[i];
    const texture = landscape.texture[i];
    const elevation = landscape.elevation[i];
    let klass: number = base;
    if (base === LAND_COVER.water || (flooded && elevation < landscape.floodLevel && base !== LAND_COVER.urban)) {
      klass = LAND_COVER.water;
      setFromRanges(reflectance, i, spectra.water, position, base === LAND_COVER.water ? texture : 1);
    } else if (elevation > snowLevel) {
      klass = LAND_COVER.snow;
      // Snow thins out towards the snow line.
      const depth = Math.min(1, (elevation - snowLevel) / 0.03);
      const snowPosition = 0.3 + 0.7 * depth * position;
      setFromRanges(reflectance, i, spectra.snow, snowPosition, 1 - 0.25 * (1 - depth));
    } else if (base === LAND_COVER.urban) {
      setFromRanges(reflectance, i, spectra.urban, position, texture);
    } else {
      const id = landscape.cell[i];
      const harvestIndex = landscape.cellHarvestIndex[id];
      const isHedge = landscape.hedge[i] === 1;
      if (base === LAND_COVER.vegetation && !(harvestIndex >= 0 && dateIndex >= harvestIndex && !isHedge)) {
        const green = isHedge ? Math.max(0.55, cellGreenness[id]) : cellGreenness[id];
        mixVegetation(reflectance, i, spectra, position, texture, green);
      } else if (isHedge) {
        mixVegetation(reflectance, i, spectra, position, texture, 0.6);
      } else {
        klass = LAND_COVER.soil;
        setFromRanges(reflectance, i, spectra.soil, position, texture * soilDarkening);
        if (base === LAND_COVER.vegetation) {
          // Stubble after harvest: soil with some dry residue.
          for (let b = 0; b < bandCount; b += 1) {
            const residue = spectra.dormant.min[b] + position * spectra.dormant.span[b];
            reflectance[b][i] = 0.7 * reflectance[b][i] + 0.3 * residue * texture;
          }
        }
      }
      if (klass !== LAND_COVER.soil) klass = LAND_COVER.vegetation;
    }
    landCover[i] = klass;
  }
  return { reflectance, landCover };
}

function setFromRanges(reflectance: Float32Array[], i: number, ranges: BandRanges, position: number, factor: number): void {
  for (let b = 0; b < reflectance.length; b += 1) reflectance[b][i] = (ranges.min[b] + position * ranges.span[b]) * factor;
}

function mixVegetation(reflectance: Float32Array[], i: number, spectra: SurfaceSpectra, position: number, texture: number, green: number): void {
  for (let b = 0; b < reflectance.length; b += 1) {
    const greenValue = spectra.green.min[b] + position * spectra.green.span[b];
    const dormantValue = spectra.dormant.min[b] + position * spectra.dormant.span[b];
    reflectance[b][i] = (dormantValue + green * (greenValue - dormantValue)) * texture;
  }
}
