import assert from 'node:assert/strict';
import type { CogWriter, TypedArray } from '../../src/raster/types.js';

/** A CogWriter that collects written windows into one image (band 0); a pixel written twice fails. */
export function memoryWriter(width: number, height: number, make: (n: number) => TypedArray): CogWriter & { image: TypedArray; written: Uint8Array } {
  const image = make(width * height);
  const written = new Uint8Array(width * height);
  return {
    image,
    written,
    async writeWindow({ window, bands }) {
      for (let r = 0; r < window.height; r++)
        for (let c = 0; c < window.width; c++) {
          const i = (window.y + r) * width + window.x + c;
          assert.equal(written[i], 0, `pixel ${i} written twice`);
          written[i] = 1;
          image[i] = bands[0]![r * window.width + c]!;
        }
    },
    async finish() {},
    async abort() {},
  };
}
