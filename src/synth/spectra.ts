/**
 * Spectral signatures used by the synthetic scenes, as reflectance ranges at anchor
 * wavelengths (the Sentinel-2 band centres); a band of any sensor takes the value
 * interpolated linearly at its centre wavelength. Ranges follow the usual published
 * library values (e.g. USGS splib07 / ASTER library summaries): green vegetation dark in
 * the visible with a red-edge jump to NIR 0.25-0.50, bare soil rising with wavelength,
 * water below 0.05 in the NIR and near zero in the SWIR, urban flat at 0.10-0.25, snow
 * bright in the visible and dark in the SWIR.
 */

export const ANCHOR_WAVELENGTHS_NM = [443, 490, 560, 665, 705, 740, 783, 842, 865, 945, 1375, 1610, 2190] as const;

type Range = readonly [number, number];
/** One [min, max] reflectance range per anchor wavelength. */
export type Signature = readonly Range[];

export const GREEN_VEGETATION: Signature = [
  [0.01, 0.04], [0.02, 0.05], [0.04, 0.08], [0.02, 0.06], [0.06, 0.12], [0.2, 0.35], [0.25, 0.45],
  [0.25, 0.5], [0.25, 0.5], [0.25, 0.48], [0.2, 0.4], [0.15, 0.25], [0.07, 0.13],
];
/** Senescent or sparse vegetation before green-up and after maturity. */
export const DORMANT_VEGETATION: Signature = [
  [0.04, 0.07], [0.05, 0.08], [0.07, 0.1], [0.08, 0.12], [0.11, 0.15], [0.15, 0.21], [0.17, 0.24],
  [0.18, 0.26], [0.18, 0.26], [0.18, 0.26], [0.2, 0.28], [0.25, 0.33], [0.16, 0.24],
];
export const BARE_SOIL: Signature = [
  [0.07, 0.11], [0.08, 0.12], [0.1, 0.17], [0.13, 0.24], [0.15, 0.26], [0.16, 0.28], [0.17, 0.29],
  [0.18, 0.3], [0.18, 0.31], [0.19, 0.32], [0.2, 0.34], [0.25, 0.4], [0.2, 0.36],
];
export const URBAN: Signature = [
  [0.1, 0.16], [0.1, 0.17], [0.11, 0.18], [0.12, 0.2], [0.13, 0.21], [0.14, 0.22], [0.14, 0.23],
  [0.15, 0.24], [0.15, 0.25], [0.15, 0.25], [0.16, 0.26], [0.18, 0.28], [0.15, 0.25],
];
export const WATER: Signature = [
  [0.05, 0.09], [0.04, 0.08], [0.03, 0.07], [0.01, 0.04], [0.01, 0.03], [0.005, 0.025], [0.005, 0.02],
  [0.005, 0.02], [0.004, 0.02], [0.003, 0.015], [0.002, 0.01], [0.001, 0.01], [0.001, 0.008],
];
export const SNOW: Signature = [
  [0.85, 0.97], [0.82, 0.95], [0.8, 0.93], [0.76, 0.9], [0.72, 0.88], [0.68, 0.85], [0.64, 0.82],
  [0.6, 0.8], [0.58, 0.78], [0.5, 0.7], [0.2, 0.35], [0.02, 0.1], [0.01, 0.06],
];

/** Cloud reflectance relative to its visible (green) brightness: flat over B-G-R, a little lower in the NIR, much lower in the SWIR (water/ice absorption). */
export const CLOUD_RELATIVE = [1.03, 1.02, 1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.85, 0.3, 0.68, 0.48] as const;
/** Thin ice cloud (cirrus) relative to its visible brightness: bright in the 1375 nm cirrus band, where the ground is invisible. */
export const CIRRUS_RELATIVE = [1.02, 1.01, 1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.95, 0.9, 0.9, 0.7, 0.5] as const;
/** Reflectance of a fully opaque haze layer (path radiance of aerosols: bluish). */
export const HAZE_REFLECTANCE = [0.3, 0.27, 0.22, 0.17, 0.15, 0.13, 0.12, 0.11, 0.1, 0.08, 0.02, 0.05, 0.03] as const;
/** Top-of-atmosphere additions for Level-1C sensors: Rayleigh path radiance (additive) and gas transmittance (multiplicative, water vapour at 945 and 1375 nm). */
export const TOA_PATH_RADIANCE = [0.08, 0.06, 0.035, 0.02, 0.016, 0.013, 0.011, 0.009, 0.008, 0.006, 0.0, 0.003, 0.002] as const;
export const TOA_GAS_TRANSMITTANCE = [0.95, 0.97, 0.95, 0.96, 0.96, 0.97, 0.98, 0.98, 0.98, 0.35, 0.01, 0.95, 0.9] as const;

/** Linear interpolation of a per-anchor table at `wavelengthNm` (clamped at both ends). */
export function interpolateAtWavelength(table: readonly number[], wavelengthNm: number): number {
  const anchors = ANCHOR_WAVELENGTHS_NM;
  if (wavelengthNm <= anchors[0]) return table[0];
  for (let i = 1; i < anchors.length; i += 1) {
    if (wavelengthNm <= anchors[i]) {
      const t = (wavelengthNm - anchors[i - 1]) / (anchors[i] - anchors[i - 1]);
      return table[i - 1] + t * (table[i] - table[i - 1]);
    }
  }
  return table[anchors.length - 1];
}

/** A signature resampled to a sensor's bands: per band the [min, max] range. */
export interface BandRanges {
  min: Float32Array;
  span: Float32Array;
}

export function signatureForBands(signature: Signature, wavelengthsNm: readonly number[]): BandRanges {
  const minTable = signature.map((range) => range[0]);
  const maxTable = signature.map((range) => range[1]);
  const min = new Float32Array(wavelengthsNm.length);
  const span = new Float32Array(wavelengthsNm.length);
  wavelengthsNm.forEach((wavelength, band) => {
    min[band] = interpolateAtWavelength(minTable, wavelength);
    span[band] = interpolateAtWavelength(maxTable, wavelength) - min[band];
  });
  return { min, span };
}

export function tableForBands(table: readonly number[], wavelengthsNm: readonly number[]): Float32Array {
  return Float32Array.from(wavelengthsNm, (wavelength) => interpolateAtWavelength(table, wavelength));
}
