import { modelToOnnx } from '../graph/inference.js';
import { defaultModelPath, hasDefaultModel } from '../model/default-model.js';
import { loadModel } from '../model/weights.js';
import { findBand, getSensorProfile } from '../raster/sensors.js';
import { AutocmError } from '../util/errors.js';
import type { BrowserModel } from './server.js';

/**
 * The model the page runs with onnxruntime-web: the same ONNX graph as the CLI (dynamic N, H, W)
 * and the metadata the page needs to normalise exactly as `predict` does. Null when no model is
 * given and none ships with the package.
 */
export async function loadBrowserModel(path: string | undefined): Promise<BrowserModel | null> {
  if (!path && !hasDefaultModel()) return null;
  const model = await loadModel(path ?? defaultModelPath);
  const metadata: Record<string, unknown> = { ...model.metadata };
  if (model.metadata.normalisation.mode === 'reflectance' && model.metadata.sensor) {
    const profile = getSensorProfile(model.metadata.sensor);
    metadata.reflectanceScaling = model.metadata.bands.map((name) => {
      const band = findBand(profile, name);
      if (!band) throw new AutocmError(`model band ${name} is not a band of sensor ${profile.id}`, path ?? defaultModelPath);
      return [band.scale, band.offset];
    });
  }
  return { onnx: modelToOnnx(model), metadata };
}
