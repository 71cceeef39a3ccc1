import { basename } from 'node:path';
import { expandInputs, type StackImage } from '../../raster/inputs.js';
import type { ImageStack } from '../../raster/stack.js';
import { AutocmError } from '../../util/errors.js';

export type StackOrder = 'date' | 'name' | 'input';

/**
 * Checks a stack can be masked as a time series and returns its dates in the order to use:
 * by acquisition time (default; every image needs a date from its name or metadata), or by
 * file name / input order when `--order` says so.
 */
export async function orderStackDates(stack: ImageStack, inputs: string[], order: StackOrder = 'date', sensor?: string): Promise<StackImage[]> {
  const images = stack.images;
  if (images.length < 2) {
    throw new AutocmError(`--stack needs at least 2 dates of one place, got ${images.length} image: it would only repeat the single-image mask (predict it without --stack)`, images[0]?.source);
  }
  if (order === 'date') {
    const undated = images.find((image) => image.date === null);
    if (undated) throw new AutocmError('has no acquisition date in its name or metadata: --stack orders the dates by time (pass --order name or --order input to order them by file name or as given)', undated.source);
    return images;
  }
  if (order === 'name') return [...images].sort((a, b) => basename(a.source).localeCompare(basename(b.source)));
  if (order === 'input') {
    const ids = (await expandInputs(inputs, { sensor })).map((ref) => ref.id);
    return [...images].sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  }
  throw new AutocmError(`--order must be date, name or input (got ${String(order)})`);
}
