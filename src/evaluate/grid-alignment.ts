import { describeGrid, type Grid } from '../raster/grid-compare.js';
import type { Window } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import { NODATA, type DecodedMask } from '../masks/mask-classes.js';

export function gridMismatchError(pred: Grid, ref: Grid): AutocmError {
  return new AutocmError(
    `prediction and reference are on different grids: prediction ${describeGrid(pred)}; reference ${describeGrid(ref)}. ` +
      'Give --align to resample the prediction (nearest neighbour) onto the reference grid.',
    pred.source,
  );
}

/**
 * Nearest-neighbour mapping of reference pixels onto prediction pixels through both
 * geotransforms: for a reference window, the prediction window to read and, per reference
 * pixel, the index in that window (-1 where the prediction does not cover it).
 */
export interface AlignedWindow {
  predWindow: Window | null;
  index: Int32Array;
}

export function checkAlignable(pred: Grid, ref: Grid): void {
  if (!pred.geoTransform || !ref.geoTransform) {
    throw new AutocmError(`--align needs georeferencing on both sides: prediction ${describeGrid(pred)}; reference ${describeGrid(ref)}`, pred.source);
  }
  if (pred.epsg !== null && ref.epsg !== null && pred.epsg !== ref.epsg) {
    throw new AutocmError(`--align resamples but does not reproject: prediction EPSG:${pred.epsg}, reference EPSG:${ref.epsg} (${ref.source})`, pred.source);
  }
}

export function alignWindow(pred: Grid, ref: Grid, refWindow: Window): AlignedWindow {
  const r = ref.geoTransform!;
  const p = pred.geoTransform!;
  const det = p[1] * p[5] - p[2] * p[4];
  const n = refWindow.width * refWindow.height;
  const cols = new Int32Array(n);
  const rows = new Int32Array(n);
  let minC = Infinity;
  let maxC = -Infinity;
  let minR = Infinity;
  let maxR = -Infinity;
  for (let j = 0; j < refWindow.height; j++) {
    for (let i = 0; i < refWindow.width; i++) {
      const col = refWindow.x + i + 0.5;
      const row = refWindow.y + j + 0.5;
      const wx = r[0] + col * r[1] + row * r[2] - p[0];
      const wy = r[3] + col * r[4] + row * r[5] - p[3];
      const pc = Math.floor((wx * p[5] - wy * p[2]) / det);
      const pr = Math.floor((wy * p[1] - wx * p[4]) / det);
      const k = j * refWindow.width + i;
      if (pc < 0 || pr < 0 || pc >= pred.width || pr >= pred.height) {
        cols[k] = -1;
        continue;
      }
      cols[k] = pc;
      rows[k] = pr;
      if (pc < minC) minC = pc;
      if (pc > maxC) maxC = pc;
      if (pr < minR) minR = pr;
      if (pr > maxR) maxR = pr;
    }
  }
  const index = new Int32Array(n).fill(-1);
  if (minC === Infinity) return { predWindow: null, index };
  const predWindow = { x: minC, y: minR, width: maxC - minC + 1, height: maxR - minR + 1 };
  for (let k = 0; k < n; k++) if (cols[k]! >= 0) index[k] = (rows[k]! - minR) * predWindow.width + (cols[k]! - minC);
  return { predWindow, index };
}

/** Picks the prediction pixels of an aligned window (nodata where it does not cover). */
export function resampleDecoded(source: DecodedMask | null, aligned: AlignedWindow, width: number, height: number): DecodedMask {
  const n = width * height;
  const classes = new Uint8Array(n).fill(NODATA);
  const probability = source?.probability ? new Float32Array(n).fill(Number.NaN) : undefined;
  if (source) {
    for (let k = 0; k < n; k++) {
      const s = aligned.index[k]!;
      if (s < 0) continue;
      classes[k] = source.classes[s]!;
      if (probability) probability[k] = source.probability![s]!;
    }
  }
  return probability ? { width, height, classes, probability } : { width, height, classes };
}
