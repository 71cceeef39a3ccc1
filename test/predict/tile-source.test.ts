import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RasterInfo, RasterSource, ReadOptions, Window, WindowData } from '../../src/raster/types.js';
import { stretchNormalisation } from '../../src/predict/normalisation.js';
import { inThreadTileSource } from '../../src/predict/tile-source.js';
import { planTiles } from '../../src/predict/tile-plan.js';

function memoryRaster(width: number, height: number, bands: Uint16Array[], windows: Window[]): RasterSource {
  const info = { source: 'memory.tif', width, height, bandCount: bands.length, sampleType: 'uint16', nodata: 0, overviews: [], blockWidth: 32, blockHeight: 7 } as unknown as RasterInfo;
  return {
    info,
    async readWindow(window: Window, options: ReadOptions = {}): Promise<WindowData> {
      windows.push(window);
      const indices = options.bands ?? bands.map((_, i) => i);
      return {
        window,
        bands: indices.map((b: number) => {
          const out = new Uint16Array(window.width * window.height);
          for (let r = 0; r < window.height; r++) out.set(bands[b]!.subarray((window.y + r) * width + window.x, (window.y + r) * width + window.x + window.width), r * window.width);
          return out;
        }),
      };
    },
    async close() {},
  } as unknown as RasterSource;
}

test('a scene too wide for full-width row chunks is read tile by tile, with the same tiles', async () => {
  const width = 301;
  const height = 203;
  const bands = [0, 1, 2].map((b) => new Uint16Array(width * height).map((_, i) => ((i % width) * 7 + Math.floor(i / width) * 13 + b * 101) % 1000));
  const plan = planTiles(width, height, 128, 64);
  const options = { bands: [0, 1, 2], nodata: 0, normalisation: stretchNormalisation(3, 0, 1000, 'test') };
  const chunked: Window[] = [];
  const direct: Window[] = [];
  const a = inThreadTileSource(memoryRaster(width, height, bands, chunked), plan, options);
  const b = inThreadTileSource(memoryRaster(width, height, bands, direct), plan, { ...options, maxRowChunkSamples: 1000 });
  for (let i = 0; i < plan.count; i++) {
    const [ta, tb] = [await a.tile(i), await b.tile(i)];
    assert.deepEqual(tb.input, ta.input, `tile ${i}`);
    assert.deepEqual(tb.nodata, ta.nodata, `tile ${i}`);
  }
  assert.ok(chunked.every((w) => w.width === width), 'row chunks span the width');
  assert.equal(direct.length, plan.count);
  assert.ok(direct.every((w) => w.width < width), 'tile windows only');
});
