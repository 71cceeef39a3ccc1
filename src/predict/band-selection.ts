import { AutocmError } from '../util/errors.js';

/** Lower-case, without spaces, dashes or underscores: 'NIR', 'nir' and 'Nir' all match. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * Which of the image's bands feed the model, in the model's order: picked by name (a 6-band
 * Landsat image gives Blue, Green, Red, NIR to a 4-band model); an image whose band names are
 * unknown but whose band count equals the model's is taken in order.
 */
export function selectModelBands(file: string, imageBands: string[], modelBands: string[]): number[] {
  const names = imageBands.map(canonical);
  const picked = modelBands.map((band) => names.indexOf(canonical(band)));
  if (picked.every((index) => index >= 0)) return picked;
  const namesUnknown = imageBands.every((name) => name === '' || /^(band)?\s*\d+$/i.test(name));
  if (namesUnknown && imageBands.length === modelBands.length) return modelBands.map((_, index) => index);
  const missing = modelBands.filter((_, i) => picked[i]! < 0);
  throw new AutocmError(
    `the model needs ${modelBands.length} bands [${modelBands.join(', ')}] but the image has ${imageBands.length} ` +
      `[${imageBands.map((n, i) => n || `band ${i + 1}`).join(', ')}]` +
      (namesUnknown ? '' : `; missing: ${missing.join(', ')}`) +
      ' (pass --sensor to name the image bands, or use a model trained for this sensor)',
    file,
  );
}
