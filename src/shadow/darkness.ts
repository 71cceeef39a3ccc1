import { coverDarkness } from './cover-darkness.js';
import { isWater, referenceDarkness } from './reference-darkness.js';
import { WINDOW_CLEAR, type Darkness, type NamedBand, type ShadowParameters, type ShadowWindow } from './shadow-types.js';

/** Finds a band by canonical name (case-insensitive). */
export function bandNamed(bands: NamedBand[] | undefined, name: string): Float32Array | undefined {
  return bands?.find((band) => band.name.toLowerCase() === name)?.values;
}

/**
 * Darkness of every pixel in [0, 1] (0.5 at the dark threshold; NaN where nodata): how much
 * darker the pixel is in NIR (and SWIR1 when present) than its clear-sky value. With a clear-sky
 * reference the ratio to it (`referenceDarkness`), which the one-image test may confirm inside
 * matched projections (`coverAssist`); without one (or where it is NaN: no clear date) the ratio
 * to the clear ground of the same cover around it (`coverDarkness`), where water-like pixels (low
 * NDVI and low NIR, when red is present) get 0. Cloud pixels get 0.
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
    // The one-image test too: where no other date saw clear sky it decides (the pixel's
    // surroundings are its clear sky); inside matched projections it also confirms ground that
    // the clear sky finds only a little darker than the ground around (a hazy date, the label's
    // soft edge), unless the clear sky finds it no darker at all.
    const own = coverDarkness({ nir, swir, red }, cloud, width, height, parameters);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(nir[i]!)) continue;
      if (Number.isNaN(refNir[i]!)) result.dark[i] = result.inProjection[i] = red && isWater(red[i]!, nir[i]!) ? 0 : own[i]!;
      else if (own[i]! >= 0.5 && result.inProjection[i]! >= parameters.coverAssist && result.inProjection[i]! < 0.5) result.inProjection[i] = 0.5;
    }
  } else {
    const dark = coverDarkness({ nir, swir, red }, cloud, width, height, parameters);
    for (let i = 0; i < n; i++) if (red && isWater(red[i]!, nir[i]!)) dark[i] = 0;
    result = { dark, inProjection: dark };
  }
  for (let i = 0; i < n; i++) {
    if (cloud[i] !== WINDOW_CLEAR) result.dark[i] = result.inProjection[i] = cloud[i] === 1 ? 0 : Number.NaN;
  }
  return result;
}
