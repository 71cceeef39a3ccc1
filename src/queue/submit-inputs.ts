import { expandInputs } from '../raster/inputs.js';
import { AutocmError } from '../util/errors.js';

/** A scene to submit: its file and its output name stem (the same id `autocm predict` uses). */
export interface SubmitScene {
  path: string;
  id: string;
}

/**
 * Expands submit's arguments (files, folders, globs, list files, STAC) into scenes with
 * predict's own resolver, WITHOUT opening any raster: a corrupt scene must become a failed job
 * with its reason, not stop the whole submission. Workers read local files under their input
 * root, so URLs and images split into one file per band are refused here.
 */
export async function expandSubmitInputs(inputs: string[], sensor: string | null): Promise<SubmitScene[]> {
  const refs = await expandInputs(inputs, sensor !== null ? { sensor } : {});
  return refs.map((ref) => {
    const first = ref.files[0]!.path;
    if (ref.files.length !== 1) throw new AutocmError(`image "${ref.id}" has one file per band; the queue takes single multi-band files (predict it locally, or stack the bands with gdal_merge/gdalbuildvrt -separate and gdal_translate)`, first);
    if (/^[a-z]+:\/\//i.test(first)) throw new AutocmError('the queue takes files on the shared folder that workers mount, not URLs (download the scene first)', first);
    return { path: first, id: ref.id };
  });
}
