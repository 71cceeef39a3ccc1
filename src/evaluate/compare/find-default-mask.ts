import { basename } from 'node:path';
import { dateKeyOfName, imageStemOfMask } from '../../masks/file-keys.js';
import { AutocmError } from '../../util/errors.js';

/**
 * The one product mask among `candidates` that belongs to `scene`: same image stem (product
 * suffixes and img_/mask_ prefixes removed), else the same acquisition date in the name.
 */
export function findDefaultMask(scene: string, candidates: string[], what = 'default mask'): string {
  const stem = (p: string) => imageStemOfMask(p).replace(/^(img|mask)_/i, '');
  const byStem = candidates.filter((c) => stem(c) === stem(scene));
  if (byStem.length === 1) return byStem[0]!;
  const date = dateKeyOfName(scene);
  const byDate = date ? candidates.filter((c) => dateKeyOfName(c) === date) : [];
  if (byDate.length === 1) return byDate[0]!;
  if (byStem.length > 1 || byDate.length > 1) {
    throw new AutocmError(`${byStem.length > 1 ? byStem.length : byDate.length} files could be its ${what} (${[...(byStem.length > 1 ? byStem : byDate)].map((p) => basename(p)).join(', ')}); give one`, scene);
  }
  throw new AutocmError(`no ${what} for this scene among ${candidates.length} file(s) (matched by file stem or date)`, scene);
}
