import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLEAR, CLOUD, MASK_NODATA, StreamingClassDilation, diskHalfWidths } from '../../src/predict/class-dilation.js';

/** Brute-force disk dilation, the oracle. */
function dilateDirect(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = mask.slice();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] !== CLEAR) continue;
      search: for (let dy = -radius; dy <= radius; dy++)
        for (let dx = -radius; dx <= radius; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (dx * dx + dy * dy > radius * radius || yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          if (mask[yy * width + xx] === CLOUD) {
            out[y * width + x] = CLOUD;
            break search;
          }
        }
    }
  return out;
}

function streamed(mask: Uint8Array, width: number, height: number, radius: number, strip: number): Uint8Array {
  const dilation = new StreamingClassDilation(width, height, radius, 0);
  const out = new Uint8Array(width * height);
  let written = 0;
  for (let y = 0; y < height; y += strip) {
    const rows = Math.min(strip, height - y);
    const ready = dilation.push(mask.subarray(y * width, (y + rows) * width));
    assert.equal(ready.y * width, written, 'rows come out in order, each once');
    out.set(ready.rows, ready.y * width);
    written += ready.rows.length;
  }
  assert.equal(written, width * height);
  return out;
}

test('disk half widths', () => {
  assert.deepEqual([...diskHalfWidths(2)], [0, 1, 2, 1, 0]);
  assert.deepEqual([...diskHalfWidths(0)], [0]);
});

test('streaming disk dilation equals brute force for any strip height; nodata stays nodata', () => {
  const width = 37;
  const height = 29;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    const r = random();
    mask[i] = r < 0.03 ? CLOUD : r < 0.1 ? MASK_NODATA : CLEAR;
  }
  for (const radius of [0, 1, 3, 6])
    for (const strip of [1, 4, 29]) {
      const expected = dilateDirect(mask, width, height, radius);
      assert.deepEqual(streamed(mask, width, height, radius, strip), expected, `radius ${radius} strip ${strip}`);
    }
  const dilated = streamed(mask, width, height, 3, 5);
  for (let i = 0; i < mask.length; i++) if (mask[i] === MASK_NODATA) assert.equal(dilated[i], MASK_NODATA);
});
