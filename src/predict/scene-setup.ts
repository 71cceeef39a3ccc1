import { basename } from 'node:path';
import type { ModelFile } from '../model/weights.js';
import type { CogWriteOptions, RasterSource } from '../raster/types.js';
import { version } from '../version.js';
import { selectModelBands } from './band-selection.js';
import { imageNormalisation } from './image-normalisation.js';
import type { InputNormalisation } from './normalisation.js';
import type { PredictionInput } from './predict-images.js';
import { probabilityNodata, type ProbabilityFormat } from './scene-predictor.js';

export interface SceneSetup {
  /** Image band indices that feed the model, in the model's order. */
  bands: number[];
  normalisation: InputNormalisation;
  writerOptions: { probability: CogWriteOptions; mask: CogWriteOptions };
}

/**
 * What predicting one image needs before its first tile: the model's bands in the image, the
 * image's normalisation (computed from the whole image, so that split jobs of the queue agree
 * with a one-machine predict pixel for pixel) and the options of the two output COGs.
 */
export async function sceneSetup(
  source: RasterSource,
  image: PredictionInput,
  model: ModelFile,
  modelPath: string,
  options: { format: ProbabilityFormat; threshold: number; buffer: number },
): Promise<SceneSetup> {
  const bands = selectModelBands(image.source, image.bandNames, model.metadata.bands);
  const normalisation = await imageNormalisation(source, bands, image.nodata, model.metadata.normalisation, () => image.reflectanceScaling(bands), modelPath);
  const { format, threshold, buffer } = options;
  const metadata = {
    AUTOCM_VERSION: version,
    AUTOCM_MODEL: basename(modelPath),
    AUTOCM_INPUT: basename(image.source),
    AUTOCM_NORMALISATION: normalisation.description,
    AUTOCM_THRESHOLD: String(threshold),
    AUTOCM_BUFFER: String(buffer),
  };
  return { bands, normalisation, writerOptions: outputWriterOptions(source.info.width, source.info.height, source.info, format, metadata) };
}

/** The options of the probability and mask COGs of one image (what predict and predict --stack write). */
export function outputWriterOptions(
  width: number,
  height: number,
  georeference: CogWriteOptions['georeference'],
  format: ProbabilityFormat,
  metadata: Record<string, string>,
): { probability: CogWriteOptions; mask: CogWriteOptions } {
  const { geoTransform, epsg, geoKeys } = georeference;
  const common = { width, height, bandCount: 1, georeference: { geoTransform, epsg, geoKeys }, blockSize: 512 };
  return {
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
  };
}
