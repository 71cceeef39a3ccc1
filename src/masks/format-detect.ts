import { basename } from 'node:path';
import type { RasterInfo } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import { supportedFormatsText, type MaskFormat } from './mask-formats.js';

/** What a scan of (a sample of) the first band found. */
export interface ValueSample {
  /** Distinct values seen (nodata excluded), capped at a few hundred. */
  distinct: Set<number>;
  min: number;
  max: number;
}

const PLAIN_VALUES = new Set([0, 1, 2, 255]);

function nameTokens(path: string): string[] {
  return basename(path)
    .replace(/\.(tiff?|vrt|jp2)$/i, '')
    .toLowerCase()
    .split(/[_.\-\s]+/);
}

const subsetOf = (values: Set<number>, allowed: Set<number>) => [...values].every((v) => allowed.has(v));

/**
 * Picks the mask format where the file says it unambiguously: autocm's own suffixes, 8 bands
 * (UDM2), a float band within [0, 1] (s2cloudless), uint16 QA bit words, uint8 within
 * {0, 1, 2, 255} (plain); otherwise a name hint (`_QA_PIXEL`, `_SCL`, `fmask`, `clp`) that the
 * values do not contradict. Anything else is an error that lists the formats.
 */
export function detectMaskFormat(path: string, info: Pick<RasterInfo, 'bandCount' | 'sampleType'>, sample: ValueSample): MaskFormat {
  const tokens = nameTokens(path);
  const has = (t: string) => tokens.includes(t);
  const last = tokens[tokens.length - 1];
  if (last === 'cloudprob') return 'autocm-prob';
  if (last === 'cloudmask') return 'autocm-mask';
  if (info.bandCount === 8) return 'udm2';
  if (info.bandCount === 3 && has('msk') && has('classi')) return 'msk-classi';
  const ambiguous = (why: string) =>
    new AutocmError(`cannot tell the mask format (${why}); give --ref-format (or --pred-format) with one of: ${supportedFormatsText()}`, path);
  if (info.bandCount !== 1) throw ambiguous(`${info.bandCount} bands`);
  const floating = info.sampleType === 'float32' || info.sampleType === 'float64';
  if (floating) {
    if (sample.min >= 0 && sample.max <= 1) return 's2cloudless';
    throw ambiguous(`floating-point values outside [0, 1]: ${sample.min}..${sample.max}`);
  }
  if (info.sampleType === 'uint16') {
    if (has('qa') && has('pixel')) return 'qa-pixel';
    // QA_PIXEL words of real scenes always set a high bit (clear 6, water 7, confidence 8-15).
    if (sample.max > 255 && [...sample.distinct].every((v) => v === 1 || v >= 64)) return 'qa-pixel';
  }
  const productHint = has('scl') || has('fmask') || has('cfmask');
  // "mask_scl_..." is a plain mask derived from SCL; a raw SCL/Fmask layer has no "mask" token.
  if (subsetOf(sample.distinct, PLAIN_VALUES) && (!productHint || has('mask'))) return 'plain';
  if (has('scl') && sample.max <= 11) return 'scl';
  if ((has('fmask') || has('cfmask')) && subsetOf(sample.distinct, new Set([0, 1, 2, 3, 4, 255]))) return 'fmask';
  if (has('clp') || has('s2cloudless')) {
    if (sample.max > 100) return 's2cloudless-255';
    throw ambiguous('s2cloudless integers up to 100: 0-100 or 0-255 scale?');
  }
  const shown = [...sample.distinct].sort((a, b) => a - b).slice(0, 12).join(', ');
  throw ambiguous(`${info.sampleType} values ${shown}${sample.distinct.size > 12 ? ', ...' : ''}`);
}
