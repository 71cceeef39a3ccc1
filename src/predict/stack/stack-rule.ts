import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutocmError } from '../../util/errors.js';

/**
 * The stack-aware fusion rule: a logistic rule over per-pixel features of one date
 * (see stack-features.ts). fused logit = bias + logit * z + residual * r + zscore * rn, where
 * z = logit(p) - logit(threshold) of the single-image probability (0 at the model's threshold),
 * r = the date's mean-band reflectance minus the (1 - p)-weighted composite of the other dates
 * nearby in time (positive = brighter), rn = r / (weighted spread of those dates + 0.02),
 * clipped to [-10, 10]. The fused logit is shifted back by logit(threshold), so the model's
 * threshold keeps its meaning for the stack probability.
 *
 * Per stack, the rule also measures (label free) how well the network and the robust temporal
 * outlier test (temporal-outlier.ts) agree: the Dice overlap of their cloud over the whole stack.
 * At or above `agreementGate` the stack trusts the outlier test: a network cloud that is also a
 * mild outlier (ratio >= `confirmOutlier`) stays cloud whatever the residual says, and an outlier
 * (ratio >= 1) is cloud where the network's z is at least `outlierLogitFloor`. Below it, the
 * logistic rule alone decides (where the references call the outliers haze, not cloud).
 * On long series with SWIR1 (`harmonicDelta` > 0), where a pixel has Tmask's seasonal model, that
 * model's cloud test with a SWIR1 snow test decides instead (harmonic-test.ts).
 */
export interface StackRule {
  bias: number;
  logit: number;
  residual: number;
  zscore: number;
  /** Other dates on each side (in time order) whose composite is the clear-sky estimate. */
  halfWindow: number;
  /** Fewest valid other dates a pixel needs; fewer -> the single-image probability. */
  minDates: number;
  /** Smallest sum of (1 - p) over those dates (about that many clear dates); less -> single-image. */
  minWeight: number;
  /** Outlier ratio: departure over max(outlierK x 1.4826 x MAD, outlierFloor) (temporal-mad's 3 and 0.04). */
  outlierK: number;
  outlierFloor: number;
  /** Stack-wide Dice agreement of network and outlier test at which outliers count (> 1: never). */
  agreementGate: number;
  confirmOutlier: number;
  outlierLogitFloor: number;
  /**
   * Long-series test (harmonic-test.ts), 0 = off: where a pixel has Tmask's 5-term seasonal model
   * (and the bands include SWIR1), it alone decides: a date is cloud where its cloud band exceeds
   * the model by this much (Tmask's 0.04) and its SWIR1 is not below the model (snow).
   */
  harmonicDelta: number;
  /** Fewest screened-clear dates (Tmask's 15) and span in years (2) of that model. */
  harmonicMinClear: number;
  harmonicMinYears: number;
  /** Rounds: composite with p, new p, composite again with the new p. */
  iterations: number;
  /** Where the coefficients come from (free text, for the output metadata and reports). */
  calibratedOn?: string;
}

/** Shipped rule (models/stack-rule.json); this is its fallback if the file is missing. */
export const fallbackStackRule: StackRule = { bias: 0, logit: 1, residual: 0, zscore: 0, halfWindow: 8, minDates: 2, minWeight: 1, outlierK: 3, outlierFloor: 0.04, agreementGate: 2, confirmOutlier: 0.5, outlierLogitFloor: -3, harmonicDelta: 0, harmonicMinClear: 15, harmonicMinYears: 2, iterations: 1, calibratedOn: 'identity (no calibration)' };

const shippedRulePath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'models', 'stack-rule.json');

/** The rule in `path`, else `<model>.stack-rule.json` beside the model, else the shipped one. */
export function loadStackRule(path: string | undefined, modelPath: string): { rule: StackRule; source: string } {
  const candidates = path ? [path] : [modelPath.replace(/\.safetensors$/i, '') + '.stack-rule.json', shippedRulePath];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) {
      if (path) throw new AutocmError('stack rule file not found', path);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(candidate, 'utf8'));
    } catch (error) {
      throw new AutocmError(`is not a stack rule JSON file: ${(error as Error).message}`, candidate);
    }
    return { rule: checkRule(parsed, candidate), source: candidate };
  }
  return { rule: fallbackStackRule, source: 'built-in identity rule' };
}

function checkRule(value: unknown, file: string): StackRule {
  const rule = { ...fallbackStackRule, ...(value as Partial<StackRule>) };
  for (const key of ['bias', 'logit', 'residual', 'zscore', 'halfWindow', 'minDates', 'minWeight', 'outlierK', 'outlierFloor', 'agreementGate', 'confirmOutlier', 'outlierLogitFloor', 'harmonicDelta', 'harmonicMinClear', 'harmonicMinYears', 'iterations'] as const) {
    if (typeof rule[key] !== 'number' || !Number.isFinite(rule[key])) throw new AutocmError(`stack rule field "${key}" must be a finite number`, file);
  }
  if (!Number.isInteger(rule.halfWindow) || rule.halfWindow < 1) throw new AutocmError('stack rule halfWindow must be a whole number >= 1', file);
  if (rule.outlierK <= 0 || rule.outlierFloor <= 0) throw new AutocmError('stack rule outlierK and outlierFloor must be > 0', file);
  if (rule.harmonicDelta < 0 || rule.harmonicMinClear < 5 || rule.harmonicMinYears < 1) throw new AutocmError('stack rule harmonicDelta must be >= 0 (0 = off), harmonicMinClear >= 5 and harmonicMinYears >= 1', file);
  if (!Number.isInteger(rule.iterations) || rule.iterations < 1 || rule.iterations > 5) throw new AutocmError('stack rule iterations must be 1 to 5', file);
  return rule;
}
