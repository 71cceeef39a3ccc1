/**
 * The per-image set-up of a one-machine `autocm predict` (predict/predict-images.ts), for the
 * jobs of a split scene: band selection, the image's normalisation (computed from the WHOLE
 * image, as predict does, so every strip uses the same one) and the two COG writers' options.
 * It must stay equal to predict's set-up: test/queue/split.test.ts compares a split scene's
 * outputs with predict's, pixel for pixel.
 */
import { basename } from 'node:path';
import type { ModelFile } from '../model/weights.js';
import { selectModelBands } from '../predict/band-selection.js';
import { imageNormalisation } from '../predict/image-normalisation.js';
import type { InputNormalisation } from '../predict/normalisation.js';
import { resolvePredictionInputs } from '../predict/inputs.js';
import { outputPathsFor, type OutputPaths } from '../predict/output-paths.js';
import { probabilityNodata } from '../predict/scene-predictor.js';
import type { CogWriteOptions, RasterSource } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import { version } from '../version.js';
import type { AssembleJobData, StripJobData } from './payload.js';

export interface PreparedScene {
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
    const { width, height } = source.info;
    const bands = selectModelBands(image.source, image.bandNames, model.metadata.bands);
    const normalisation = await imageNormalisation(source, bands, image.nodata, model.metadata.normalisation, () => image.reflectanceScaling(bands), task.model);
    const { format, threshold, buffer } = task.options;
    const metadata = {
      AUTOCM_VERSION: version,
      AUTOCM_MODEL: basename(task.model),
      AUTOCM_INPUT: basename(image.source),
      AUTOCM_NORMALISATION: normalisation.description,
      AUTOCM_THRESHOLD: String(threshold),
      AUTOCM_BUFFER: String(buffer),
    };
    const common = { width, height, bandCount: 1, georeference: source.info, blockSize: 512 };
    return {
      source,
      bands,
      nodata: image.nodata,
      normalisation,
      outputs: outputPathsFor(task.outputDir, image.id),
      writerOptions: {
        probability: {
          ...common,
          sampleType: format,
          nodata: probabilityNodata[format],
          overviewResampling: 'average',
          bandDescriptions: [format === 'uint8' ? 'cloud probability (percent)' : 'cloud probability'],
          metadata: { ...metadata, AUTOCM_PROBABILITY_SCALE: format === 'uint8' ? '100' : '1' },
        },
        mask: {
          ...common,
          sampleType: 'uint8',
          nodata: 255,
          overviewResampling: 'nearest',
          bandDescriptions: ['cloud mask (0 clear, 1 cloud)'],
          metadata,
        },
      },
      close: () => source.close(),
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}
