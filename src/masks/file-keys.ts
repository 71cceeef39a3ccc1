import { basename } from 'node:path';

/** The file name without directory and .tif/.tiff extension. */
export function fileStem(path: string): string {
  return basename(path).replace(/\.tiff?$/i, '');
}

/** autocm output suffixes and common reference-mask suffixes, stripped to find the image stem. */
const MASK_SUFFIXES = /(_cloudprob|_cloudmask|_qa_pixel|_scl|_fmask|_cfmask|_udm2(_clip)?|_mask)$/i;

/** The image stem a mask belongs to: "img_x_cloudmask" -> "img_x". */
export function imageStemOfMask(path: string): string {
  return fileStem(path).replace(MASK_SUFFIXES, '');
}

/**
 * The acquisition date a file name carries (YYYYMMDD or YYYY-MM-DD, 1970-2099, valid
 * month/day) as "YYYYMMDD", or null. The first such date wins.
 */
export function dateKeyOfName(path: string): string | null {
  const name = basename(path);
  const pattern = /(?<![0-9])((?:19[7-9]|20[0-9])[0-9])-?([01][0-9])-?([0-3][0-9])(?![0-9])/g;
  for (const m of name.matchAll(pattern)) {
    const [, y, mo, d] = m as unknown as [string, string, string, string];
    const date = new Date(Date.UTC(+y, +mo - 1, +d));
    if (date.getUTCMonth() === +mo - 1 && date.getUTCDate() === +d) return `${y}${mo}${d}`;
  }
  return null;
}

export function dateKeyOf(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}
