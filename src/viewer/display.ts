import type { RasterInfo, RasterSource } from '../raster/types.js';

/** Which bands show as red, green, blue: by band description where it names them, else B,G,R[,NIR] order. */
export function displayBands(info: RasterInfo): [number, number, number] {
  const names = info.bandDescriptions.map((d) => d.toLowerCase());
  const find = (...keys: string[]) => names.findIndex((n) => keys.some((k) => n === k || n.includes(k)));
  const red = find('red', 'b04', 'b4');
  const green = find('green', 'b03', 'b3');
  const blue = find('blue', 'b02', 'b2');
  if (red >= 0 && green >= 0 && blue >= 0) return [red, green, blue];
  // 3-band stacks without visible bands (e.g. red, NIR, SWIR) show as a false-colour composite.
  if (info.bandCount === 3) return [2, 1, 0];
  return [2, 1, 0];
}

const SAMPLE_PIXELS = 512 * 512;

/** 2-98 % per displayed band, from the smallest overview that still has enough pixels (never the whole big image). */
export async function displayStretch(source: RasterSource, bands: number[]): Promise<[number, number][]> {
  const { info } = source;
  let level = 0;
  for (let i = 0; i < info.overviews.length; i++) {
    const o = info.overviews[i]!;
    if (o.width * o.height >= SAMPLE_PIXELS / 4) level = i + 1;
  }
  const size = level === 0 ? info : info.overviews[level - 1]!;
  // Without overviews read a centred window at most 1024 x 1024.
  const width = Math.min(size.width, 1024);
  const height = Math.min(size.height, 1024);
  const window = { x: Math.floor((size.width - width) / 2), y: Math.floor((size.height - height) / 2), width, height };
  const data = await source.readWindow(window, { bands, level });
  return data.bands.map((band) => {
    const values: number[] = [];
    for (let i = 0; i < band.length; i++) {
      const v = band[i]!;
      if (Number.isFinite(v) && v !== info.nodata && v > 0) values.push(v);
    }
    if (values.length === 0) return [0, 1];
    values.sort((a, b) => a - b);
    const at = (p: number) => values[Math.min(values.length - 1, Math.floor((p / 100) * (values.length - 1)))]!;
    const lo = at(2);
    const hi = at(98);
    return [lo, hi > lo ? hi : lo + 1];
  });
}
