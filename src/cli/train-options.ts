import { MIN_K } from '../train/packs.js';
import { AutocmError } from '../util/errors.js';

/** The numeric options of `autocm train`, as commander parsed them (finite numbers; whole where asked). */
export interface TrainNumbers {
  steps?: number;
  epochs?: number;
  crop: number;
  k: number;
  grid?: number;
  lr?: number;
  spatialWeight: number;
  temporalWeight: number;
  margin: number;
  minValid: number;
  seed: number;
  threads?: number;
  checkpointEvery: number;
  maxSpanDays?: number;
}

type Rule = [flag: string, key: keyof TrainNumbers, ok: (v: number) => boolean, what: string];

const RULES: Rule[] = [
  ['--steps', 'steps', (v) => v >= 1, 'at least 1'],
  ['--epochs', 'epochs', (v) => v > 0, 'above 0'],
  ['--crop', 'crop', (v) => v >= 8 && v % 8 === 0, 'a positive multiple of 8'],
  ['--k', 'k', (v) => v >= MIN_K, `at least ${MIN_K} (images per pack)`],
  ['--grid', 'grid', (v) => v >= 1, 'at least 1 pixel'],
  ['--lr', 'lr', (v) => v > 0, 'above 0'],
  ['--spatial-weight', 'spatialWeight', (v) => v >= 0, '0 or more'],
  ['--temporal-weight', 'temporalWeight', (v) => v >= 0, '0 or more'],
  ['--margin', 'margin', (v) => v >= 0, '0 or more'],
  ['--min-valid', 'minValid', (v) => v >= 0 && v <= 1, 'a fraction from 0 to 1'],
  ['--seed', 'seed', (v) => v >= 0 && v <= 0xffffffff, 'from 0 to 4294967295'],
  ['--threads', 'threads', (v) => v >= 1, 'at least 1'],
  ['--checkpoint-every', 'checkpointEvery', (v) => v >= 1, 'at least 1'],
  ['--max-span-days', 'maxSpanDays', (v) => v > 0, 'above 0'],
];

/** Refuses out-of-range numeric train options before any data is read, naming the option. */
export function checkTrainNumbers(options: TrainNumbers): void {
  for (const [flag, key, ok, what] of RULES) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || !ok(value)) throw new AutocmError(`${flag} must be ${what}, got ${value}`);
  }
}
