import type { Command } from 'commander';
import { MAX_BUFFER } from '../predict/class-dilation.js';
import { predictDefaults } from '../predict/predict-images.js';
import { numberOption } from './number-option.js';

/** The masking options that `predict` and `submit` share. */
export interface MaskCliOptions {
  sensor?: string;
  threshold?: number;
  buffer: number;
  format: string;
  tile: number;
  overlap: number;
}

export function addMaskOptions(command: Command): Command {
  return command
    .option('--sensor <name>', 'sensor profile of the inputs (default: detected)')
    .option('--threshold <p>', `a pixel is cloud when its probability is >= p (default: the model's calibrated threshold, else ${predictDefaults.threshold})`, numberOption('number'))
    .option('--buffer <pixels>', `dilate the cloud mask by a disk (Euclidean radius) of this many pixels (at most ${MAX_BUFFER})`, numberOption('integer'), predictDefaults.buffer)
    .option('--format <type>', 'probability output: uint8 (0-100 %, nodata 255) or float32 (0..1, nodata NaN)', predictDefaults.format)
    .option('--tile <px>', 'tile size for the network (multiple of 8)', numberOption('integer'), predictDefaults.tile)
    .option('--overlap <px>', `overlap between tiles, blended (>= ${predictDefaults.overlap})`, numberOption('integer'), predictDefaults.overlap);
}
