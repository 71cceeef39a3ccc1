import { PNG } from 'pngjs';
import { CLEAR, CLOUD, NODATA, SHADOW } from '../../masks/mask-classes.js';

export type Rgba = [number, number, number, number];

/** Colours of the class pictures; nodata is transparent. */
export const CLASS_COLOURS: Record<number, Rgba> = {
  [CLEAR]: [43, 43, 43, 255],
  [CLOUD]: [255, 255, 255, 255],
  [SHADOW]: [140, 70, 200, 255],
  [NODATA]: [0, 0, 0, 0],
};

/** Error map colours: agreement in grey levels, cloud false positives red, false negatives blue; shadow ones orange and violet. */
export const ERROR_COLOURS = {
  trueNegative: [43, 43, 43, 255] as Rgba,
  truePositive: [230, 230, 230, 255] as Rgba,
  falsePositive: [228, 26, 28, 255] as Rgba,
  falseNegative: [31, 120, 255, 255] as Rgba,
  shadowTruePositive: [130, 130, 130, 255] as Rgba,
  shadowFalsePositive: [255, 160, 0, 255] as Rgba,
  shadowFalseNegative: [190, 80, 255, 255] as Rgba,
  nodata: [0, 0, 0, 0] as Rgba,
};

export const cssColour = (c: Rgba) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

export function classesToRgba(classes: Uint8Array): Uint8Array {
  const out = new Uint8Array(classes.length * 4);
  for (let i = 0; i < classes.length; i++) out.set(CLASS_COLOURS[classes[i]!] ?? CLASS_COLOURS[NODATA]!, i * 4);
  return out;
}

/**
 * Error map of the cloud class: TN, TP, FP (predicted cloud, reference not), FN; where the cloud
 * class agrees, the shadow class's TP, FP and FN in their own colours; nodata transparent. The
 * counts are the cloud class's.
 */
export function errorMapRgba(pred: Uint8Array, ref: Uint8Array): { rgba: Uint8Array; falsePositives: number; falseNegatives: number } {
  const out = new Uint8Array(ref.length * 4);
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let i = 0; i < ref.length; i++) {
    const p = pred[i]!;
    const r = ref[i]!;
    let colour: Rgba;
    if (p === NODATA || r === NODATA) colour = ERROR_COLOURS.nodata;
    else if (p === CLOUD && r === CLOUD) colour = ERROR_COLOURS.truePositive;
    else if (p === CLOUD) {
      colour = ERROR_COLOURS.falsePositive;
      falsePositives++;
    } else if (r === CLOUD) {
      colour = ERROR_COLOURS.falseNegative;
      falseNegatives++;
    } else if (p === SHADOW && r === SHADOW) colour = ERROR_COLOURS.shadowTruePositive;
    else if (p === SHADOW) colour = ERROR_COLOURS.shadowFalsePositive;
    else if (r === SHADOW) colour = ERROR_COLOURS.shadowFalseNegative;
    else colour = ERROR_COLOURS.trueNegative;
    out.set(colour, i * 4);
  }
  return { rgba: out, falsePositives, falseNegatives };
}
