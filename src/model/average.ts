import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AutocmError } from '../util/errors.js';
import { loadModel, unetParameterSpecs, type ModelFile } from './weights.js';

/**
 * The element-wise mean of the U-Net weights (moving BatchNorm statistics included) of models
 * fine-tuned from one start (a "model soup", Wortsman et al., ICML 2022): it keeps what the runs
 * agree on and averages out what one random seed made of the data. The models must share bands,
 * normalisation and architecture; the metadata of the first is kept, with the members recorded.
 */
export async function averageModels(paths: string[]): Promise<ModelFile> {
  if (paths.length < 2) throw new AutocmError('averaging needs at least two models');
  const models = await Promise.all(paths.map((path) => loadModel(path)));
  const first = models[0]!;
  models.forEach((model, i) => {
    const mismatch =
      model.metadata.bands.join() !== first.metadata.bands.join()
        ? `bands ${model.metadata.bands.join(', ')}`
        : JSON.stringify(model.metadata.normalisation) !== JSON.stringify(first.metadata.normalisation)
          ? `normalisation ${JSON.stringify(model.metadata.normalisation)}`
          : null;
    if (mismatch) throw new AutocmError(`has ${mismatch}, unlike ${paths[0]}: only models of the same bands and normalisation can be averaged`, paths[i]);
  });
  const specs = unetParameterSpecs(first.metadata.inputBands);
  const tensors = new Map<string, Float32Array>();
  for (const spec of specs) {
    const mean = new Float32Array(first.tensors.get(spec.name)!.length);
    for (const model of models) model.tensors.get(spec.name)!.forEach((v, i) => (mean[i] += v / models.length));
    tensors.set(spec.name, mean);
  }
  const members = await Promise.all(
    paths.map(async (path, i) => ({
      path,
      sha256: createHash('sha256').update(await readFile(path)).digest('hex'),
      training: models[i]!.metadata.training ?? null,
    })),
  );
  const { threshold: _threshold, calibration: _calibration, ...metadata } = first.metadata;
  return {
    metadata: { ...metadata, source: `autocm model average of ${paths.length} models`, training: { kind: 'average', members }, createdAt: new Date().toISOString() },
    tensors,
    shapes: new Map(specs.map((spec) => [spec.name, spec.shape])),
  };
}
