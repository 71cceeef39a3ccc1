import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AutocmError } from '../util/errors.js';
import { dateKeyOf, dateKeyOfName, fileStem, imageStemOfMask } from '../masks/file-keys.js';

export interface MaskMatch {
  image: string;
  /** The mask file, or null when missing (allowed with --allow-missing). */
  mask: string | null;
  /** How it was found. */
  by: 'stem-probability' | 'stem-mask' | 'stem' | 'date' | 'missing';
  /** With a probability: autocm's `<stem>_cloudmask.tif` beside it, whose shadow class the composite excludes too. */
  classes?: string;
}

export interface MatchableImage {
  /** Image path (for messages and --json). */
  path: string;
  /** File stem of the image. */
  stem: string;
  date: Date | null;
}

export function listMaskFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new AutocmError(`cannot read the mask folder: ${(error as Error).message}`, dir);
  }
  return names.filter((n) => /\.tiff?$/i.test(n) && !n.startsWith('.')).sort().map((n) => join(dir, n));
}

/**
 * Finds each image's mask among `masks`: autocm's `<stem>_cloudprob.tif` first (the
 * probability feeds the weighted mean), then `<stem>_cloudmask.tif`, then a file whose stem
 * is the image's (mask suffixes removed), then the one file with the image's acquisition date
 * (a probability preferred to a mask of the same date). A date shared by several candidate
 * files is an error; so is a missing mask unless `allowMissing`.
 */
export function matchMasks(images: MatchableImage[], masks: string[], allowMissing = false): MaskMatch[] {
  const byStem = new Map(masks.map((m) => [fileStem(m).toLowerCase(), m]));
  return images.map((image): MaskMatch => {
    const stem = image.stem.toLowerCase();
    const probability = byStem.get(`${stem}_cloudprob`);
    if (probability) return { image: image.path, mask: probability, by: 'stem-probability', ...(byStem.get(`${stem}_cloudmask`) ? { classes: byStem.get(`${stem}_cloudmask`)! } : {}) };
    const mask = byStem.get(`${stem}_cloudmask`);
    if (mask) return { image: image.path, mask, by: 'stem-mask' };
    const sameStem = masks.find((m) => fileStem(m).toLowerCase() === stem || imageStemOfMask(m).toLowerCase() === stem);
    if (sameStem) return { image: image.path, mask: sameStem, by: 'stem' };
    const date = image.date ? dateKeyOf(image.date) : dateKeyOfName(image.path);
    if (date) {
      let candidates = masks.filter((m) => dateKeyOfName(m) === date);
      if (candidates.length > 1) {
        const probabilities = candidates.filter((m) => /_cloudprob\.tiff?$/i.test(m));
        const autocmMasks = candidates.filter((m) => /_cloudmask\.tiff?$/i.test(m));
        candidates = probabilities.length > 0 ? probabilities : autocmMasks.length > 0 ? autocmMasks : candidates;
      }
      if (candidates.length === 1) return { image: image.path, mask: candidates[0]!, by: 'date' };
      if (candidates.length > 1) {
        throw new AutocmError(`several masks share the date ${date}: ${candidates.join(', ')}; name them <stem>_cloudmask.tif to pair by stem`, image.path);
      }
    }
    if (allowMissing) return { image: image.path, mask: null, by: 'missing' };
    throw new AutocmError(
      `no mask found (looked for ${image.stem}_cloudprob.tif, ${image.stem}_cloudmask.tif, ${image.stem}.tif${date ? ` and a file dated ${date}` : ''}); give --allow-missing to composite without it`,
      image.path,
    );
  });
}
