import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dateKeyOfName, fileStem, imageStemOfMask } from '../../masks/file-keys.js';

const MASK_NAME = /(_cloudprob|_cloudmask|_qa_pixel|_scl|_fmask|_udm2[^.]*)\.tiff?$|^mask_/i;
const key = (p: string) => imageStemOfMask(p).replace(/^(img|mask)_/i, '');

function tiffsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => /\.tiff?$/i.test(n) && !MASK_NAME.test(n))
      .map((n) => join(dir, n))
      .filter((p) => statSync(p).isFile());
  } catch {
    return [];
  }
}

/**
 * Finds the image of a prediction/reference pair for the quicklook: among `images` when
 * given, else among the TIFFs beside the reference, its parent folder and beside the
 * prediction; matched by stem (mask suffixes and img_/mask_ prefixes removed), then by date.
 */
export function imageLocator(images: string[] | undefined): (prediction: string, reference: string) => string | null {
  return (prediction, reference) => {
    const candidates = images?.length
      ? images
      : [...new Set([dirname(reference), resolve(dirname(reference), '..'), dirname(prediction)].map((d) => resolve(d)))].flatMap(tiffsIn);
    const stems = [key(prediction), key(reference)];
    const byStem = candidates.find((c) => stems.includes(key(c)) || stems.includes(fileStem(c)));
    if (byStem) return byStem;
    const date = dateKeyOfName(prediction) ?? dateKeyOfName(reference);
    if (!date) return null;
    const byDate = candidates.filter((c) => dateKeyOfName(c) === date);
    return byDate.length === 1 ? byDate[0]! : null;
  };
}
