import { fillPits } from './flood-fill.js';
import { clamp01, isWater, referenceDarkness } from './reference-darkness.js';
import { WINDOW_CLEAR, type Darkness, type NamedBand, type ShadowParameters, type ShadowWindow } from './shadow-types.js';

/** Finds a band by canonical name (case-insensitive). */
export function bandNamed(bands: NamedBand[] | undefined, name: string): Float32Array | undefined {
  return bands?.find((band) => band.name.toLowerCase() === name)?.values;
}

/**
 * Darkness of every pixel in [0, 1] (0.5 at the dark threshold; NaN where nodata): how much
 * darker the pixel is in NIR (and SWIR1 when present) than its clear-sky value. With a clear-sky
 * reference the ratio to it (`referenceDarkness`); without one (or where it is NaN: no clear
 * date) the depth below the band's filled surroundings (the single-image potential-shadow layer
 * of Fmask), where water-like pixels (low NDVI and low NIR, when red is present) get 0. Cloud
 * pixels get 0.
 */
export function darkness(window: ShadowWindow, parameters: ShadowParameters): Darkness {
  const { width, height, cloud } = window;
  const nir = bandNamed(window.bands, 'nir');
  if (!nir) throw new Error('shadow detection needs a NIR band');
  const swir = bandNamed(window.bands, 'swir1');
  const red = bandNamed(window.bands, 'red');
  const n = width * height;
  const refNir = bandNamed(window.reference, 'nir');
  let result: Darkness;
  if (refNir) {
    const refSwir = swir ? bandNamed(window.reference, 'swir1') : undefined;
    result = referenceDarkness({ nir, refNir, swir: refSwir ? swir : undefined, refSwir, red, refRed: bandNamed(window.reference, 'red') }, cloud, width, height, parameters);
    // Where no other date saw clear sky, the pixel's surroundings are its clear sky, as in one image.
    let unreferenced = false;
    for (let i = 0; i < n && !unreferenced; i++) unreferenced = Number.isNaN(refNir[i]!) && cloud[i] === WINDOW_CLEAR && !Number.isNaN(nir[i]!);
    if (unreferenced) {
      const fill = fillDarkness(window, parameters, nir, swir ?? red);
      for (let i = 0; i < n; i++) {
        if (!Number.isNaN(refNir[i]!) || Number.isNaN(nir[i]!)) continue;
        result.dark[i] = result.inProjection[i] = red && isWater(red[i]!, nir[i]!) ? 0 : fill[i]!;
      }
    }
  } else {
    const dark = fillDarkness(window, parameters, nir, swir ?? red);
    for (let i = 0; i < n; i++) if (red && isWater(red[i]!, nir[i]!)) dark[i] = 0;
    result = { dark, inProjection: dark };
  }
  for (let i = 0; i < n; i++) {
    if (cloud[i] !== WINDOW_CLEAR) result.dark[i] = result.inProjection[i] = cloud[i] === 1 ? 0 : Number.NaN;
  }
  return result;
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
