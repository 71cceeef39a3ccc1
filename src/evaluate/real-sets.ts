import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A labelled real set of ../shared/data: images (B, G, R, NIR), reference masks, sensor. */
export interface RealSet {
  name: string;
  images: string[];
  references: string;
  sensor?: string;
  /** What the reference is, for tables. */
  reference: string;
  /** Dates of one place (multi-date baselines such as temporal-mad and tmask apply). */
  series: boolean;
}

/** `../shared/data` beside the package (the development layout); AUTOCM_SHARED_DATA overrides it. */
export const sharedDataDir = process.env.AUTOCM_SHARED_DATA ?? resolve(fileURLToPath(new URL('../../../../shared/data', import.meta.url)));

const dates = (folder: string, list: string[]) => list.map((d) => join(sharedDataDir, folder, `img_${d}.tif`));

/** The shared labelled real sets with blue, green, red and NIR. */
export const REAL_SETS: RealSet[] = [
  {
    name: 'ukis',
    images: [join(sharedDataDir, 'ukis-landsat5', 'img_landsat5.tif')],
    references: join(sharedDataDir, 'ukis-landsat5', 'masks'),
    sensor: 'landsat457-sr',
    reference: 'hand labels',
    series: false,
  },
  {
    name: 'slovenia',
    images: dates('eolearn-s2-slovenia-ts', ['20150711', '20150731', '20150820', '20150830', '20150909']),
    references: join(sharedDataDir, 'eolearn-s2-slovenia-ts', 'masks'),
    reference: 's2cloudless',
    series: true,
  },
  {
    name: 'cbers',
    images: [join(sharedDataDir, 'sits-cbers4-awfi-16d')],
    references: join(sharedDataDir, 'sits-cbers4-awfi-16d', 'masks'),
    sensor: join(sharedDataDir, 'sits-cbers4-awfi-16d', 'sensor.json'),
    reference: 'BDC CMASK',
    series: true,
  },
];

export function realSetAvailable(set: RealSet): boolean {
  return existsSync(set.references);
}
