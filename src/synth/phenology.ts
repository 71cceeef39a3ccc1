import { fbm, subSeed } from './noise.js';

/**
 * Small synthetic phenology for one ground image repeated over many dates. A date multiplies
 * the ground's reflectance in each band by
 *
 *   1 + A[band] * (s(doy) - s(doy0)) + 0.03 * w(x, y, doy),   s(doy) = sin(2 pi (doy - 105) / 365)
 *
 * with s highest in mid-July, A below (greener in summer: red down, NIR up), doy0 the ground's
 * own day of year and w a smooth field (of order 1, coarsest period half the image) that drifts
 * through the year and is 0 on doy0. On its own day of year the ground comes out exactly;
 * texture and radiometry always stay the ground's.
 */
export const PHENOLOGY_AMPLITUDE: Record<string, number> = { blue: -0.03, green: 0.02, red: -0.06, nir: 0.08 };
export const PHENOLOGY_SPATIAL_AMPLITUDE = 0.03;
export const PHENOLOGY_FORMULA =
  'reflectance x (1 + A[band] (s(doy) - s(doy_ground)) + 0.03 w(x, y, doy)), s(doy) = sin(2 pi (doy - 105) / 365), A = blue -0.03, green 0.02, red -0.06, nir 0.08, w a smooth spatial field of order 1, 0 on the ground\'s own day of year';

export interface Phenology {
  bandNames: string[];
  groundDayOfYear: number;
  /** Two fields in [-1, 1]: w moves from one to the other through the year. */
  fieldA: Float32Array;
  fieldB: Float32Array;
}

const season = (dayOfYear: number) => Math.sin((2 * Math.PI * (dayOfYear - 105)) / 365);

export function createPhenology(width: number, height: number, seed: number, groundDayOfYear: number, bandNames: string[]): Phenology {
  const period = Math.max(width, height) / 2;
  const field = (stream: number) => fbm(width, height, 0, 0, { seed: subSeed(seed, stream), period, octaves: 3 }).map((v) => 2 * v - 1);
  return { bandNames, groundDayOfYear, fieldA: field(2001), fieldB: field(2002) };
}

/** The seasonal (spatially uniform) factor of each band on a day of year. */
export function seasonalFactors(phenology: Phenology, dayOfYear: number): number[] {
  const change = season(dayOfYear) - season(phenology.groundDayOfYear);
  return phenology.bandNames.map((name) => 1 + (PHENOLOGY_AMPLITUDE[name] ?? 0) * change);
}

/** The ground's reflectance on a day of year (new arrays; NaN stays NaN). */
export function applyPhenology(phenology: Phenology, ground: Float32Array[], dayOfYear: number): Float32Array[] {
  const angle = (2 * Math.PI * (dayOfYear - phenology.groundDayOfYear)) / 365;
  const weightA = (PHENOLOGY_SPATIAL_AMPLITUDE * Math.sin(angle)) / 2;
  const weightB = (PHENOLOGY_SPATIAL_AMPLITUDE * (1 - Math.cos(angle))) / 2;
  const { fieldA, fieldB } = phenology;
  return seasonalFactors(phenology, dayOfYear).map((factor, b) => {
    const band = ground[b];
    const out = new Float32Array(band.length);
    for (let i = 0; i < band.length; i += 1) out[i] = band[i] * (factor + weightA * fieldA[i] + weightB * fieldB[i]);
    return out;
  });
}
