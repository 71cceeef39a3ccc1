import { addConfusion, emptyConfusion, type Confusion } from './confusion.js';
import { evaluatePair, type EvaluateOptions, type ImageEvaluation, type PairOutcome, type ScorePair } from './evaluate-pair.js';
import { metricsFromConfusion } from './metrics.js';
import { pairFiles, type FilePair, type PairBy } from './pairing.js';
import { addSweep, emptySweep, sweepResult, type SweepResult } from './threshold-sweep.js';

export interface PooledEvaluation {
  images: number;
  cloud: ScorePair;
  cloudShadow: ScorePair | { skipped: string };
  shadow: ScorePair | { skipped: string };
  sweep: SweepResult | null;
}

export interface EvaluationSummary {
  pairs: FilePair[];
  images: ImageEvaluation[];
  pooled: PooledEvaluation;
  tolerance: number;
}

export interface EvaluateAllOptions extends EvaluateOptions {
  pairBy?: PairBy;
  /** Called after each pair (progress, report pictures). */
  onPair?: (outcome: PairOutcome, index: number, total: number) => Promise<void> | void;
}

/** Scores every prediction against its reference, then pools the confusion tables. */
export async function evaluateAll(preds: string[], refs: string[], options: EvaluateAllOptions = {}): Promise<EvaluationSummary> {
  const pairs = pairFiles(preds, refs, options.pairBy);
  const outcomes: PairOutcome[] = [];
  for (const [i, pair] of pairs.entries()) {
    const outcome = await evaluatePair(pair.prediction, pair.reference, options);
    await options.onPair?.(outcome, i, pairs.length);
    // Pictures are large; only the confusion tables are kept for pooling.
    outcomes.push({ ...outcome, pictures: null });
  }
  return { pairs, images: outcomes.map((o) => o.evaluation), pooled: pool(outcomes), tolerance: Math.max(0, Math.floor(options.tolerance ?? 0)) };
}

function sum(list: (Confusion | null)[]): Confusion | null {
  const present = list.filter((c): c is Confusion => c !== null);
  return present.length === 0 ? null : present.reduce((acc, c) => addConfusion(acc, c), emptyConfusion());
}

export function pool(outcomes: PairOutcome[]): PooledEvaluation {
  const c = outcomes.map((o) => o.confusions);
  const cloud = sum(c.map((x) => x.cloud)) ?? emptyConfusion();
  const cloudTolerant = sum(c.map((x) => x.cloudTolerant));
  const withShadow = outcomes.filter((o) => o.confusions.cloudShadow !== null);
  const cloudShadow = sum(withShadow.map((o) => o.confusions.cloudShadow));
  const cloudShadowTolerant = sum(withShadow.map((o) => o.confusions.cloudShadowTolerant));
  const shadow = sum(withShadow.map((o) => o.confusions.shadow));
  const shadowTolerant = sum(withShadow.map((o) => o.confusions.shadowTolerant));
  const sweeps = outcomes.map((o) => o.sweepHistogram).filter((s) => s !== null);
  const firstSkip = outcomes.map((o) => o.evaluation.cloudShadow).find((s): s is { skipped: string } => 'skipped' in s);
  return {
    images: outcomes.length,
    cloud: { strict: metricsFromConfusion(cloud), tolerant: cloudTolerant ? metricsFromConfusion(cloudTolerant) : null },
    cloudShadow: cloudShadow
      ? {
          strict: metricsFromConfusion(cloudShadow, 'cloud or shadow'),
          tolerant: cloudShadowTolerant ? metricsFromConfusion(cloudShadowTolerant, 'cloud or shadow') : null,
        }
      : { skipped: firstSkip?.skipped ?? 'no image pair with shadow on both sides' },
    shadow: shadow
      ? { strict: metricsFromConfusion(shadow, 'shadow'), tolerant: shadowTolerant ? metricsFromConfusion(shadowTolerant, 'shadow') : null }
      : { skipped: firstSkip?.skipped ?? 'no image pair with shadow on both sides' },
    sweep: sweeps.length > 0 ? sweepResult(sweeps.reduce((acc, s) => addSweep(acc, s), emptySweep())) : null,
  };
}
