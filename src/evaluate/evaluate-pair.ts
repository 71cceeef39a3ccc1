import { accumulateLogits, type LogitHistogram } from './logit-histogram.js';
import type { Window } from '../raster/types.js';
import { accumulateConfusion, emptyConfusion, type Confusion, type PositiveClass } from './confusion.js';
import { edgeIgnoreMask } from './edge-tolerance.js';
import { sameGrid } from '../raster/grid-compare.js';
import { alignWindow, checkAlignable, gridMismatchError, resampleDecoded } from './grid-alignment.js';
import { NODATA, type DecodedMask } from '../masks/mask-classes.js';
import { openMaskFile, type MaskFile } from '../masks/mask-reader.js';
import { metricsFromConfusion, type Metrics } from './metrics.js';
import { PictureSampler } from './picture-sampler.js';
import { accumulateSweep, emptySweep, sweepResult, type SweepHistogram, type SweepResult } from './threshold-sweep.js';

export interface EvaluateOptions {
  predFormat?: string;
  refFormat?: string;
  /** Probability threshold of the prediction (its format's default when omitted). */
  threshold?: number;
  refThreshold?: number;
  /** Pixels within this distance of a reference edge are left out of the tolerant scores; 0 = strict only. */
  tolerance?: number;
  /** Resample the prediction onto the reference grid instead of failing on a grid mismatch. */
  align?: boolean;
  /** Rows per strip read at once (memory bound). */
  stripRows?: number;
  /** Larger side of the report pictures; 0 = no pictures. */
  pictureMaxSide?: number;
  /** Adds the probability's logit histogram of every pair to this one (calibration). */
  logits?: LogitHistogram;
}

export interface ScorePair {
  strict: Metrics;
  /** Scores without the pixels near reference edges; null when no tolerance was asked for. */
  tolerant: Metrics | null;
}

export interface ImageEvaluation {
  prediction: string;
  reference: string;
  predFormat: string;
  refFormat: string;
  width: number;
  height: number;
  aligned: boolean;
  cloud: ScorePair;
  /** Cloud and shadow together as one class, when both sides can say shadow. */
  cloudShadow: ScorePair | { skipped: string };
  /** The shadow class alone (cloud counts as not-shadow), when both sides can say shadow. */
  shadow: ScorePair | { skipped: string };
  /** Threshold sweep of a probability prediction against the reference cloud class. */
  sweep: SweepResult | null;
  /** Reference pixels that decode to a class (the rest are nodata or values the format does not know). */
  referenceValidPixels: number;
  /** What the user should know: e.g. a reference mostly outside its format's values. */
  warnings: string[];
}

/** Below this share of decodable reference pixels the format is probably wrong: said, not silently scored. */
const LOW_VALID_SHARE = 0.5;

/** Per-image results plus what pooling and the report need (not part of the JSON). */
export interface PairOutcome {
  evaluation: ImageEvaluation;
  confusions: {
    cloud: Confusion;
    cloudTolerant: Confusion | null;
    cloudShadow: Confusion | null;
    cloudShadowTolerant: Confusion | null;
    shadow: Confusion | null;
    shadowTolerant: Confusion | null;
  };
  sweepHistogram: SweepHistogram | null;
  pictures: { pred: PictureSampler<Uint8Array>; ref: PictureSampler<Uint8Array> } | null;
}

const DEFAULT_STRIP_ROWS = 512;

export async function evaluatePair(predPath: string, refPath: string, options: EvaluateOptions = {}): Promise<PairOutcome> {
  const ref = await openMaskFile(refPath, { format: options.refFormat, threshold: options.refThreshold });
  let pred: MaskFile | undefined;
  try {
    pred = await openMaskFile(predPath, { format: options.predFormat, threshold: options.threshold });
    return await scorePair(pred, ref, options);
  } finally {
    await pred?.close();
    await ref.close();
  }
}

async function scorePair(pred: MaskFile, ref: MaskFile, options: EvaluateOptions): Promise<PairOutcome> {
  const { width, height } = ref.info;
  const aligned = !sameGrid(pred.info, ref.info);
  if (aligned) {
    if (!options.align) throw gridMismatchError(pred.info, ref.info);
    checkAlignable(pred.info, ref.info);
  }
  const tolerance = Math.max(0, Math.floor(options.tolerance ?? 0));
  const withShadow = pred.hasShadow && ref.hasShadow;
  const cloud = emptyConfusion();
  const cloudTolerant = tolerance > 0 ? emptyConfusion() : null;
  const cloudShadow = withShadow ? emptyConfusion() : null;
  const cloudShadowTolerant = withShadow && tolerance > 0 ? emptyConfusion() : null;
  const shadow = withShadow ? emptyConfusion() : null;
  const shadowTolerant = withShadow && tolerance > 0 ? emptyConfusion() : null;
  const sweepHistogram = pred.isProbability ? emptySweep() : null;
  const maxSide = options.pictureMaxSide ?? 0;
  const step = PictureSampler.stepFor(width, height, Math.max(1, maxSide));
  const pictures =
    maxSide > 0
      ? {
          pred: new PictureSampler(width, height, step, (n) => new Uint8Array(n)),
          ref: new PictureSampler(width, height, step, (n) => new Uint8Array(n)),
        }
      : null;
  const stripRows = options.stripRows ?? DEFAULT_STRIP_ROWS;
  let referenceValidPixels = 0;

  for (let y = 0; y < height; y += stripRows) {
    const rows = Math.min(stripRows, height - y);
    const top = Math.min(tolerance, y);
    const bottom = Math.min(tolerance, height - y - rows);
    const haloWindow: Window = { x: 0, y: y - top, width, height: rows + top + bottom };
    const refHalo = await ref.read(haloWindow);
    const core: Window = { x: 0, y, width, height: rows };
    const predCore = await readPrediction(pred, ref, core, aligned);
    const refCore = refHalo.classes.subarray(top * width, (top + rows) * width);
    for (let i = 0; i < refCore.length; i++) if (refCore[i] !== NODATA) referenceValidPixels++;
    accumulateConfusion(predCore.classes, refCore, 'cloud', cloud);
    if (cloudShadow) accumulateConfusion(predCore.classes, refCore, 'cloud-shadow', cloudShadow);
    if (shadow) accumulateConfusion(predCore.classes, refCore, 'shadow', shadow);
    const tolerant = (positive: PositiveClass, into: Confusion | null) => {
      if (!into) return;
      const ignore = edgeIgnoreMask(refHalo.classes, width, haloWindow.height, top, bottom, tolerance, positive);
      accumulateConfusion(predCore.classes, refCore, positive, into, ignore);
    };
    tolerant('cloud', cloudTolerant);
    tolerant('cloud-shadow', cloudShadowTolerant);
    tolerant('shadow', shadowTolerant);
    if (sweepHistogram && predCore.probability) accumulateSweep(predCore.probability, refCore, 'cloud', sweepHistogram);
    if (options.logits && predCore.probability) accumulateLogits(predCore.probability, refCore, options.logits);
    pictures?.pred.addStrip(y, rows, predCore.classes);
    pictures?.ref.addStrip(y, rows, refCore);
  }

  const scores = (strict: Confusion, tol: Confusion | null, label: string): ScorePair => ({
    strict: metricsFromConfusion(strict, label),
    tolerant: tol ? metricsFromConfusion(tol, label) : null,
  });
  const evaluation: ImageEvaluation = {
    prediction: pred.path,
    reference: ref.path,
    predFormat: pred.format,
    refFormat: ref.format,
    width,
    height,
    aligned,
    cloud: scores(cloud, cloudTolerant, 'cloud'),
    cloudShadow: cloudShadow
      ? scores(cloudShadow, cloudShadowTolerant, 'cloud or shadow')
      : { skipped: shadowSkipReason(pred, ref) },
    shadow: shadow ? scores(shadow, shadowTolerant, 'shadow') : { skipped: shadowSkipReason(pred, ref) },
    sweep: sweepHistogram ? sweepResult(sweepHistogram) : null,
    referenceValidPixels,
    warnings: [],
  };
  if (referenceValidPixels < LOW_VALID_SHARE * width * height) {
    evaluation.warnings.push(
      `${ref.path}: only ${referenceValidPixels} of ${width * height} reference pixels (${((100 * referenceValidPixels) / (width * height)).toFixed(1)} %) ` +
        `are classes of format ${ref.format}; the rest are nodata or values the format does not know: check --ref-format`,
    );
  }
  return { evaluation, confusions: { cloud, cloudTolerant, cloudShadow, cloudShadowTolerant, shadow, shadowTolerant }, sweepHistogram, pictures };
}

function shadowSkipReason(pred: MaskFile, ref: MaskFile): string {
  const sides = [!pred.hasShadow ? `prediction (${pred.format})` : '', !ref.hasShadow ? `reference (${ref.format})` : ''].filter(Boolean);
  return `no shadow class in ${sides.join(' and ')}`;
}

async function readPrediction(pred: MaskFile, ref: MaskFile, window: Window, aligned: boolean): Promise<DecodedMask> {
  if (!aligned) return pred.read(window);
  const mapping = alignWindow(pred.info, ref.info, window);
  const source = mapping.predWindow ? await pred.read(mapping.predWindow) : null;
  return resampleDecoded(source, mapping, window.width, window.height);
}
