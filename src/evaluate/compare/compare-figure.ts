import { openMaskFile } from '../../masks/mask-reader.js';
import { AutocmError } from '../../util/errors.js';
import { classesToRgba, encodePng } from '../report/png.js';
import { readQuicklook } from '../report/quicklook.js';

export const PANEL_GAP = 4;

/** A mask file decimated by `step` as class RGBA (the report's colours), on the scene's grid. */
export async function maskPanel(path: string, width: number, height: number, step: number): Promise<Uint8Array> {
  const mask = await openMaskFile(path);
  try {
    if (mask.info.width !== width || mask.info.height !== height) {
      throw new AutocmError(`the mask is ${mask.info.width} x ${mask.info.height} px, the scene ${width} x ${height}: not on the scene's grid`, path);
    }
    const decoded = await mask.read({ x: 0, y: 0, width, height });
    const w = Math.ceil(width / step);
    const h = Math.ceil(height / step);
    const sampled = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sampled[y * w + x] = decoded.classes[y * step * width + x * step]!;
    return classesToRgba(sampled);
  } finally {
    await mask.close();
  }
}

/** Panels side by side (white gaps) as one PNG. */
export function panelsPng(panels: Uint8Array[], w: number, h: number): Buffer {
  const total = panels.length * w + (panels.length - 1) * PANEL_GAP;
  const rgba = new Uint8Array(total * h * 4).fill(255);
  panels.forEach((panel, p) => {
    const x0 = p * (w + PANEL_GAP);
    for (let y = 0; y < h; y++) rgba.set(panel.subarray(y * w * 4, (y + 1) * w * 4), (y * total + x0) * 4);
  });
  return encodePng(total, h, rgba);
}

/** The scene's quicklook (true colour where it can be told), decimated by `step`. */
export async function scenePanel(path: string, step: number, bandNames: string[]) {
  return readQuicklook(path, step, bandNames);
}
