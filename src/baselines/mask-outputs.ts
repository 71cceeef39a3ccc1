import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createCogWriter } from '../raster/cog-writer.js';
import type { CogWriter, Georeference, Window } from '../raster/types.js';
import { NODATA } from '../masks/mask-classes.js';
import type { BaselineClasses, BaselineScores } from './baseline-types.js';

/** Probability as written by predict: uint8 percent 0-100, 255 nodata. */
export const PROBABILITY_NODATA = 255;

export interface MaskOutputPaths {
  mask: string;
  probability: string;
}

export function maskOutputPaths(dir: string, stem: string): MaskOutputPaths {
  return { mask: join(dir, `${stem}_cloudmask.tif`), probability: join(dir, `${stem}_cloudprob.tif`) };
}

/**
 * The two outputs of a baseline for one image, in predict's format: `<stem>_cloudprob.tif`
 * (uint8 0-100, 255 nodata) and `<stem>_cloudmask.tif` (0 clear, 1 cloud, 2 shadow where the
 * baseline has it, 255 nodata), COGs on the given grid, streamed window by window.
 */
export class MaskOutputWriter {
  private constructor(
    readonly paths: MaskOutputPaths,
    private readonly mask: CogWriter,
    private readonly probability: CogWriter,
  ) {}

  static async create(
    dir: string,
    stem: string,
    grid: { width: number; height: number; georeference: Georeference },
    metadata: Record<string, string>,
    classes: BaselineClasses,
  ): Promise<MaskOutputWriter> {
    const paths = maskOutputPaths(dir, stem);
    const common = { width: grid.width, height: grid.height, bandCount: 1, sampleType: 'uint8' as const, georeference: grid.georeference, nodata: NODATA };
    const mask = await createCogWriter(paths.mask, {
      ...common,
      bandDescriptions: ['cloud mask'],
      overviewResampling: 'nearest',
      metadata: { ...metadata, AUTOCM_MASK_CLASSES: classes },
    });
    try {
      const probability = await createCogWriter(paths.probability, {
        ...common,
        nodata: PROBABILITY_NODATA,
        bandDescriptions: ['cloud probability (percent)'],
        overviewResampling: 'nearest',
        metadata,
      });
      return new MaskOutputWriter(paths, mask, probability);
    } catch (error) {
      await mask.abort();
      throw error;
    }
  }

  async writeWindow(window: Window, scores: BaselineScores): Promise<void> {
    const percent = new Uint8Array(scores.probability.length);
    for (let i = 0; i < percent.length; i++) {
      const p = scores.probability[i]!;
      percent[i] = Number.isNaN(p) || scores.classes[i] === NODATA ? PROBABILITY_NODATA : Math.round(p * 100);
    }
    await this.mask.writeWindow({ window, bands: [scores.classes] });
    await this.probability.writeWindow({ window, bands: [percent] });
  }

  /** Both outputs or neither: a written mask is removed again when its probability fails. */
  async finish(): Promise<void> {
    await this.mask.finish();
    try {
      await this.probability.finish();
    } catch (error) {
      await rm(this.paths.mask, { force: true });
      throw error;
    }
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.mask.abort(), this.probability.abort()]);
  }
}
