/**
 * An image of a split scene's job, set up as a one-machine `autocm predict` sets it up
 * (predict/scene-setup.ts): test/queue/split.test.ts compares the outputs pixel for pixel.
 */
import type { ModelFile } from '../model/weights.js';
import type { InputNormalisation } from '../predict/normalisation.js';
import { resolvePredictionInputs } from '../predict/inputs.js';
import type { PredictionInput } from '../predict/predict-images.js';
import { outputPathsFor, type OutputPaths } from '../predict/output-paths.js';
import { sceneSetup } from '../predict/scene-setup.js';
import type { CogWriteOptions, RasterSource } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import type { AssembleJobData, StripJobData } from './payload.js';

export interface PreparedScene {
  image: PredictionInput;
  source: RasterSource;
  bands: number[];
  /** The image's effective nodata (the file's, else its sensor profile's). */
  nodata: number | null;
  normalisation: InputNormalisation;
  outputs: OutputPaths;
  writerOptions: { probability: CogWriteOptions; mask: CogWriteOptions };
  close(): Promise<void>;
}

export async function prepareScene(task: StripJobData | AssembleJobData, model: ModelFile): Promise<PreparedScene> {
  const images = await resolvePredictionInputs([task.input], task.options.sensor ?? undefined);
  const image = images[0];
  if (!image || images.length !== 1) throw new AutocmError(`expected one image, found ${images.length}`, task.input);
  if (image.id !== task.stem) throw new AutocmError(`image id "${image.id}" is not the submitted stem "${task.stem}"`, task.input);
  const source = await image.open();
  try {
    const { bands, normalisation, writerOptions } = await sceneSetup(source, image, model, task.model, task.options);
    return {
      image,
      source,
      bands,
      nodata: image.nodata,
      normalisation,
      outputs: outputPathsFor(task.outputDir, image.id),
      writerOptions,
      close: () => source.close(),
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}
