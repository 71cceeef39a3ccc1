import { InvalidArgumentError } from 'commander';

/** A commander option parser for a number (or whole number) not below `min`. */
export function numberOption(kind: 'integer' | 'number', min = -Infinity) {
  return (value: string): number => {
    const parsed = Number(value);
    const what = kind === 'integer' ? 'a whole number' : 'a number';
    if (value.trim() === '' || !Number.isFinite(parsed) || (kind === 'integer' && !Number.isInteger(parsed))) throw new InvalidArgumentError(`not ${what}: ${value}`);
    if (parsed < min) throw new InvalidArgumentError(`not ${what} >= ${min}: ${value}`);
    return parsed;
  };
}
