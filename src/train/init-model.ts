import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadModel, unetParameterSpecs } from '../model/weights.js';
import { AutocmError } from '../util/errors.js';

/** Where a fine-tuned model's weights came from, recorded in its metadata. */
export interface InitLineage {
  path: string;
  sha256: string;
  source: string | null;
  bands: string[];
  normalisation: unknown;
  steps: number | null;
}

/**
 * The U-Net weights (moving BatchNorm statistics included) of a model to fine-tune. Its bands
 * must be the training bands, in order (compared by common name, case-insensitive): a model of
 * other bands cannot be fine-tuned on these inputs, and is refused with both lists.
 */
export async function loadInitWeights(path: string, bands: string[]): Promise<{ params: Map<string, Float32Array>; lineage: InitLineage }> {
  const model = await loadModel(path);
  const own = model.metadata.bands.map((b) => b.toLowerCase());
  const wanted = bands.map((b) => b.toLowerCase());
  if (own.join() !== wanted.join()) {
    throw new AutocmError(
      `--init model has bands ${model.metadata.bands.join(', ')}, the training data ${bands.join(', ')}: fine-tuning needs the same bands in the same order (choose them with --bands)`,
      path,
    );
  }
  const params = new Map<string, Float32Array>();
  for (const spec of unetParameterSpecs(bands.length)) {
    const values = model.tensors.get(spec.name)!;
    if (!values.every(Number.isFinite)) throw new AutocmError(`--init model has non-finite values in ${spec.name}`, path);
    params.set(spec.name, Float32Array.from(values));
  }
  const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
  const training = model.metadata.training as { steps?: number } | undefined;
  return {
    params,
    lineage: {
      path,
      sha256,
      source: model.metadata.source ?? null,
      bands: model.metadata.bands,
      normalisation: model.metadata.normalisation,
      steps: typeof training?.steps === 'number' ? training.steps : null,
    },
  };
}
