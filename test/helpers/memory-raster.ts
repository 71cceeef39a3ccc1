import type { RasterInfo, RasterSource, Window, WindowData } from '../../src/raster/types.js';

/** Band-sequential uint16 bands held in memory, read window by window like a file (`extra`: more info fields). */
export function memoryRaster(width: number, height: number, bands: Uint16Array[], nodata: number | null, extra: Partial<RasterInfo> = {}): RasterSource {
  const info = { source: 'memory.tif', width, height, bandCount: bands.length, sampleType: 'uint16', nodata, overviews: [], ...extra } as unknown as RasterInfo;
  return {
    info,
    async readWindow(window: Window, options = {}): Promise<WindowData> {
      const indices = options.bands ?? bands.map((_, i) => i);
      return {
        window,
        bands: indices.map((b) => {
          const out = new Uint16Array(window.width * window.height);
          for (let r = 0; r < window.height; r++) out.set(bands[b]!.subarray((window.y + r) * width + window.x, (window.y + r) * width + window.x + window.width), r * window.width);
          return out;
        }),
      };
    },
    async close() {},
  };
}
