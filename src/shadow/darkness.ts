import { fillPits } from './flood-fill.js';
import { WINDOW_CLEAR, type NamedBand, type ShadowParameters, type ShadowWindow } from './shadow-types.js';

/** Finds a band by canonical name (case-insensitive). */
export function bandNamed(bands: NamedBand[] | undefined, name: string): Float32Array | undefined {
  return bands?.find((band) => band.name.toLowerCase() === name)?.values;
}

/**
 * Darkness of every pixel in [0, 1] (0.5 at the dark threshold; NaN where nodata): how much
 * darker the pixel is in NIR (and SWIR1 when present) than its clear-sky value. With a clear-sky
 * reference the ratio to it; without one (or where it is NaN: no clear date) the depth below the
 * band's filled surroundings (the single-image potential-shadow layer of Fmask). Water-like pixels
 * (low NDVI and low NIR, when red is present) and cloud pixels get 0.
 */
export function darkness(window: ShadowWindow, parameters: ShadowParameters): Float32Array {
  const { width, height, cloud } = window;
  const nir = bandNamed(window.bands, 'nir');
  if (!nir) throw new Error('shadow detection needs a NIR band');
  const swir = bandNamed(window.bands, 'swir1');
  const red = bandNamed(window.bands, 'red');
  const n = width * height;
  const out = new Float32Array(n);
  const refNir = bandNamed(window.reference, 'nir');
  if (refNir) {
    const refSwir = swir ? bandNamed(window.reference, 'swir1') : undefined;
    const ratio = parameters.referenceRatio;
    let unreferenced = false;
    for (let i = 0; i < n; i++) {
      let r = ratioOf(nir[i]!, refNir[i]!);
      if (swir && refSwir) r = Math.max(r, ratioOf(swir[i]!, refSwir[i]!));
      // 0.5 at the ratio threshold, 1 at half of it.
      out[i] = Number.isNaN(r) ? Number.NaN : clamp01(0.5 + (ratio - r) / ratio);
      if (refNir[i]! - nir[i]! < 0.02 && out[i]! > 0.49) out[i] = 0.49;
      if (Number.isNaN(r) && cloud[i] === WINDOW_CLEAR && !Number.isNaN(nir[i]!)) unreferenced = true;
    }
    // Where no other date saw clear sky, the pixel's surroundings are its clear sky, as in one image.
    if (unreferenced) {
      const fill = fillDarkness(window, parameters, nir, swir ?? red);
      for (let i = 0; i < n; i++) if (Number.isNaN(out[i]!)) out[i] = fill[i]!;
    }
  } else {
    out.set(fillDarkness(window, parameters, nir, swir ?? red));
  }
  for (let i = 0; i < n; i++) {
    if (cloud[i] !== WINDOW_CLEAR) out[i] = cloud[i] === 1 ? 0 : Number.NaN;
    else if (red && isWater(red[i]!, nir[i]!)) out[i] = 0;
  }
  return out;
}

/**
 * Single-image darkness: depth below the pit-filled surroundings in NIR and a second band (SWIR1;
 * without it red, as shadow darkens every band), 0.5 at `fillDarkness`.
 */
function fillDarkness(window: ShadowWindow, parameters: ShadowParameters, nir: Float32Array, second: Float32Array | undefined): Float32Array {
  const { width, height, cloud } = window;
  const depthNir = pitDepth(nir, cloud, width, height);
  const depthSecond = second ? pitDepth(second, cloud, width, height) : null;
  const t = parameters.fillDarkness;
  const out = new Float32Array(nir.length);
  for (let i = 0; i < out.length; i++) {
    const d = depthSecond ? Math.min(depthNir[i]!, depthSecond[i]!) : depthNir[i]!;
    out[i] = Number.isNaN(d) ? Number.NaN : clamp01(d / (2 * t));
  }
  return out;
}

function ratioOf(value: number, reference: number): number {
  if (Number.isNaN(value) || Number.isNaN(reference)) return Number.NaN;
  return value / Math.max(reference, 1e-3);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Fmask's water test on red and NIR. */
function isWater(red: number, nir: number): boolean {
  const ndvi = (nir - red) / Math.max(1e-6, nir + red);
  return (ndvi < 0.01 && nir < 0.11) || (ndvi < 0.1 && nir < 0.05);
}

/** Depth of each pixel below the band's pit fill; the boundary is a low percentile of clear pixels. */
function pitDepth(values: Float32Array, cloud: Uint8Array, width: number, height: number): Float32Array {
  const clear: number[] = [];
  const step = Math.max(1, Math.floor(values.length / 20000));
  for (let i = 0; i < values.length; i += step) if (cloud[i] === WINDOW_CLEAR && !Number.isNaN(values[i]!)) clear.push(values[i]!);
  clear.sort((a, b) => a - b);
  const boundary = clear.length > 0 ? clear[Math.floor(0.175 * (clear.length - 1))]! : 0;
  const filled = fillPits(values, width, height, boundary);
  const depth = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) depth[i] = filled[i]! - values[i]!;
  return depth;
}
