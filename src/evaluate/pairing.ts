import { dateKeyOfName, fileStem, imageStemOfMask } from '../masks/file-keys.js';
import { AutocmError } from '../util/errors.js';

export type PairBy = 'auto' | 'order' | 'stem' | 'date';

export interface FilePair {
  prediction: string;
  reference: string;
  /** How this pair was matched. */
  by: 'order' | 'stem' | 'date';
}

function uniqueIndex(keys: (string | null)[]): Map<string, number> | null {
  const map = new Map<string, number>();
  for (const [i, k] of keys.entries()) {
    if (k === null || map.has(k)) return null;
    map.set(k, i);
  }
  return map;
}

function pairByKey(preds: string[], refs: string[], key: (p: string) => string | null, by: 'stem' | 'date'): FilePair[] | null {
  const refIndex = uniqueIndex(refs.map(key));
  const predKeys = preds.map(key);
  if (!refIndex || !uniqueIndex(predKeys)) return null;
  const pairs: FilePair[] = [];
  for (const [i, k] of predKeys.entries()) {
    const r = refIndex.get(k!);
    if (r === undefined) return null;
    pairs.push({ prediction: preds[i]!, reference: refs[r]!, by });
  }
  return pairs;
}

/** Pairs by order whose names carry different dates (03-01 against 03-15) are refused: --pair order forces them. */
function refuseDisagreeingDates(pairs: FilePair[] | null): FilePair[] | null {
  for (const pair of pairs ?? []) {
    const [predicted, reference] = [dateKeyOfName(pair.prediction), dateKeyOfName(pair.reference)];
    if (predicted !== null && reference !== null && predicted !== reference) {
      throw new AutocmError(
        `pairing by order would score ${fileStem(pair.prediction)} (${predicted}) against ${fileStem(pair.reference)} (${reference}): the dates disagree; give matching files, or --pair order to pair them anyway`,
      );
    }
  }
  return pairs;
}

/**
 * Pairs predictions with references: by image stem (autocm and product suffixes removed), by
 * the acquisition date in the names, or by order. `auto` tries them in that order and takes
 * the first that pairs every prediction with a distinct reference.
 */
export function pairFiles(preds: string[], refs: string[], by: PairBy = 'auto'): FilePair[] {
  if (preds.length === 0) throw new AutocmError('no prediction given');
  if (refs.length === 0) throw new AutocmError('no reference given (--ref)');
  const stem = (p: string) => imageStemOfMask(p).replace(/^(img|mask)_/i, '');
  const attempts: Record<'stem' | 'date', () => FilePair[] | null> = {
    stem: () => pairByKey(preds, refs, stem, 'stem'),
    date: () => pairByKey(preds, refs, dateKeyOfName, 'date'),
  };
  const byOrder = () => (preds.length === refs.length ? preds.map((p, i) => ({ prediction: p, reference: refs[i]!, by: 'order' as const })) : null);
  if (by === 'order') {
    const pairs = byOrder();
    if (!pairs) throw new AutocmError(`pairing by order needs as many references (${refs.length}) as predictions (${preds.length})`);
    return pairs;
  }
  if (by !== 'auto') {
    const pairs = attempts[by]();
    if (!pairs) throw new AutocmError(`cannot pair every prediction with a distinct reference by ${by} (e.g. ${fileStem(preds[0]!)})`);
    return pairs;
  }
  const pairs = attempts.stem() ?? attempts.date() ?? refuseDisagreeingDates(byOrder());
  if (!pairs) {
    throw new AutocmError(
      `cannot pair ${preds.length} predictions with ${refs.length} references by stem, date or order; give matching lists or --pair`,
    );
  }
  return pairs;
}
