/**
 * One mapping layer from the cloud-mask formats users have to {clear, cloud, shadow, nodata}.
 *
 * Decisions (documented in the CLI help too):
 * - Planet UDM2: nodata = blackfill (band 8 "udm1" bit 0, or every class band 0);
 *   cloud = band 6 cloud or band 5 heavy haze; shadow = band 3; light haze and snow count as
 *   clear (light haze leaves the surface readable, as the shared data's README does).
 * - Landsat C2 QA_PIXEL: fill (bit 0) -> nodata; cloud (bit 3), dilated cloud (bit 1) and
 *   cirrus (bit 2) -> cloud (USGS recommends masking the dilation); shadow (bit 4) -> shadow;
 *   snow, water, clear -> clear.
 * - Sentinel-2 SCL: 0 no data and 1 saturated/defective -> nodata; 3 -> shadow; 8, 9, 10 ->
 *   cloud; 2 dark area, 4-7 and 11 snow -> clear.
 * - Fmask/CFmask: 0 land, 1 water, 3 snow -> clear; 2 -> shadow; 4 -> cloud; 255 or others -> nodata.
 * - s2cloudless probability: cloud where p >= threshold (0.4 by default, s2cloudless's own).
 * - plain and autocm masks: 0 clear, 1 cloud, 2 shadow, anything else nodata.
 * - autocm probability: uint8 0-100 with 255 nodata, or float32 0-1 with NaN nodata; cloud where
 *   p >= threshold (0.5 by default).
 */
import type { RasterInfo, TypedArray } from '../raster/types.js';
import { mskClassiClasses } from '../raster/products/sentinel2-masks.js';
import { CLEAR, CLOUD, NODATA, SHADOW, type DecodedMask } from './mask-classes.js';

export const MASK_FORMATS = [
  'plain',
  'autocm-mask',
  'autocm-prob',
  'udm2',
  'qa-pixel',
  'scl',
  'msk-classi',
  'fmask',
  's2cloudless',
  's2cloudless-100',
  's2cloudless-255',
] as const;
export type MaskFormat = (typeof MASK_FORMATS)[number];

export const MASK_FORMAT_DESCRIPTIONS: Record<MaskFormat, string> = {
  plain: 'one band, 0 clear / 1 cloud / 2 shadow / 255 nodata',
  'autocm-mask': "autocm's <stem>_cloudmask.tif (0 clear / 1 cloud / 2 shadow / 255 nodata)",
  'autocm-prob': "autocm's <stem>_cloudprob.tif (uint8 0-100 probability, 255 nodata)",
  udm2: 'Planet UDM2, 8 bands (clear, snow, shadow, light haze, heavy haze, cloud, confidence, udm1)',
  'qa-pixel': 'Landsat Collection 2 QA_PIXEL bits (uint16)',
  scl: 'Sentinel-2 Sen2Cor scene classification (SCL) classes 0-11',
  'msk-classi': 'Sentinel-2 L1C MSK_CLASSI (3 bands: opaque cloud, cirrus, snow; cloud = opaque or cirrus)',
  fmask: 'Fmask/CFmask classes (0 land, 1 water, 2 shadow, 3 snow, 4 cloud, 255 fill)',
  s2cloudless: 's2cloudless probability, float 0-1',
  's2cloudless-100': 's2cloudless probability, integer 0-100',
  's2cloudless-255': 's2cloudless probability, integer 0-255',
};

export function isMaskFormat(name: string): name is MaskFormat {
  return (MASK_FORMATS as readonly string[]).includes(name);
}

export function supportedFormatsText(): string {
  return MASK_FORMATS.map((f) => `${f} (${MASK_FORMAT_DESCRIPTIONS[f]})`).join('; ');
}

/** Whether the format is a probability (threshold sweeps apply). */
export function isProbabilityFormat(format: MaskFormat): boolean {
  return format === 'autocm-prob' || format.startsWith('s2cloudless');
}

/** Default probability threshold per format. */
export function defaultThreshold(format: MaskFormat): number {
  return format.startsWith('s2cloudless') ? 0.4 : 0.5;
}

/**
 * Whether the format can say "shadow". autocm masks say it only when the writer recorded
 * shadow among its classes (metadata AUTOCM_MASK_CLASSES, e.g. the temporal-mad and tmask baselines).
 */
export function formatHasShadow(format: MaskFormat, info?: Pick<RasterInfo, 'metadata'>): boolean {
  switch (format) {
    case 'plain':
    case 'udm2':
    case 'qa-pixel':
    case 'scl':
    case 'fmask':
      return true;
    case 'autocm-mask':
      return (info?.metadata?.AUTOCM_MASK_CLASSES ?? '').split(',').includes('shadow');
    default:
      return false;
  }
}

/** Band indices (0-based) a decoder reads. */
export function bandsNeeded(format: MaskFormat): number[] {
  return format === 'udm2' ? [0, 1, 2, 3, 4, 5, 6, 7] : format === 'msk-classi' ? [0, 1, 2] : [0];
}

export interface DecodeOptions {
  /** The file's nodata value (GDAL_NODATA), mapped to NODATA. */
  nodata?: number | null;
  /** Probability threshold in [0, 1] for probability formats. */
  threshold?: number;
}

/** Decodes one window of band data (the bands listed by `bandsNeeded`) to classes (and probability). */
export function decodeMask(
  format: MaskFormat,
  bands: TypedArray[],
  width: number,
  height: number,
  options: DecodeOptions = {},
): DecodedMask {
  const n = width * height;
  const classes = new Uint8Array(n);
  const nodata = options.nodata ?? null;
  const isNodata = (v: number) => nodata !== null && v === nodata;
  switch (format) {
    case 'plain':
    case 'autocm-mask': {
      const b = bands[0]!;
      for (let i = 0; i < n; i++) {
        const v = b[i]!;
        classes[i] = isNodata(v) ? NODATA : v === 0 ? CLEAR : v === 1 ? CLOUD : v === 2 ? SHADOW : NODATA;
      }
      return { width, height, classes };
    }
    case 'udm2':
      return { width, height, classes: decodeUdm2(bands, n) };
    case 'qa-pixel': {
      const b = bands[0]!;
      for (let i = 0; i < n; i++) {
        const v = b[i]!;
        if (isNodata(v) || v & 1) classes[i] = NODATA;
        else if (v & 0b1110) classes[i] = CLOUD;
        else if (v & 0b10000) classes[i] = SHADOW;
        else classes[i] = CLEAR;
      }
      return { width, height, classes };
    }
    case 'scl': {
      const b = bands[0]!;
      for (let i = 0; i < n; i++) {
        const v = b[i]!;
        classes[i] = isNodata(v) ? NODATA : sclClass(v);
      }
      return { width, height, classes };
    }
    case 'msk-classi': {
      const decoded = mskClassiClasses(bands[0]!, bands[1]!, bands[2]!);
      for (let i = 0; i < n; i++) classes[i] = decoded[i] === 1 ? CLOUD : CLEAR;
      return { width, height, classes };
    }
    case 'fmask': {
      const b = bands[0]!;
      for (let i = 0; i < n; i++) {
        const v = b[i]!;
        classes[i] = isNodata(v) ? NODATA : v === 0 || v === 1 || v === 3 ? CLEAR : v === 2 ? SHADOW : v === 4 ? CLOUD : NODATA;
      }
      return { width, height, classes };
    }
    default:
      return decodeProbability(format, bands[0]!, width, height, options);
  }
}

function sclClass(v: number): number {
  if (v === 3) return SHADOW;
  if (v === 8 || v === 9 || v === 10) return CLOUD;
  if (v === 2 || (v >= 4 && v <= 7) || v === 11) return CLEAR;
  return NODATA;
}

function decodeUdm2(bands: TypedArray[], n: number): Uint8Array {
  const [clear, snow, shadow, lightHaze, heavyHaze, cloud, , udm1] = bands as [
    TypedArray, TypedArray, TypedArray, TypedArray, TypedArray, TypedArray, TypedArray, TypedArray,
  ];
  const classes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const anyClass = clear[i]! | snow[i]! | shadow[i]! | lightHaze[i]! | heavyHaze[i]! | cloud[i]!;
    if (udm1[i]! & 1 || anyClass === 0) classes[i] = NODATA;
    else if (cloud[i]! || heavyHaze[i]!) classes[i] = CLOUD;
    else if (shadow[i]!) classes[i] = SHADOW;
    else classes[i] = CLEAR;
  }
  return classes;
}

function decodeProbability(format: MaskFormat, band: TypedArray, width: number, height: number, options: DecodeOptions): DecodedMask {
  const n = width * height;
  const classes = new Uint8Array(n);
  const probability = new Float32Array(n);
  const threshold = options.threshold ?? defaultThreshold(format);
  const nodata = options.nodata ?? null;
  // autocm writes uint8 percent (255 nodata) or, with predict --format float32, 0-1 (NaN nodata).
  const floating = band instanceof Float32Array || band instanceof Float64Array;
  const scale = (format === 'autocm-prob' && !floating) || format === 's2cloudless-100' ? 100 : format === 's2cloudless-255' ? 255 : 1;
  for (let i = 0; i < n; i++) {
    const v = band[i]!;
    const p = v / scale;
    if ((nodata !== null && v === nodata) || Number.isNaN(v) || p < 0 || p > 1) {
      probability[i] = Number.NaN;
      classes[i] = NODATA;
    } else {
      probability[i] = p;
      classes[i] = p >= threshold ? CLOUD : CLEAR;
    }
  }
  return { width, height, classes, probability };
}
