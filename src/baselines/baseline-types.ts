/** A strip of reflectance (NaN = nodata) with halo rows above and below the core rows. */
export interface ReflectanceStrip {
  width: number;
  /** Rows in `bands`, halo included. */
  rows: number;
  haloTop: number;
  haloBottom: number;
  bands: Float32Array[];
}

/** Per-pixel result of a baseline for the core rows of a strip. */
export interface BaselineScores {
  /** Cloud probability / score in [0, 1]; NaN at nodata. */
  probability: Float32Array;
  /** 0 clear, 1 cloud, 2 shadow, 255 nodata. */
  classes: Uint8Array;
}

/** A baseline fitted to one image: scores strips. `halo` rows of context are needed around each strip. */
export interface FittedBaseline {
  halo: number;
  score(strip: ReflectanceStrip): BaselineScores;
  /** What was fitted (for --json and the logs). */
  fitted: Record<string, unknown>;
}

/** Classes a baseline's mask can contain (recorded as AUTOCM_MASK_CLASSES in the output). */
export type BaselineClasses = 'clear,cloud' | 'clear,cloud,shadow';

/**
 * A baseline that first looks at a sample of the image: `features` turns a strip into
 * per-pixel feature columns for its core rows (NaN where invalid), the runner samples valid
 * pixels of every strip, and `fit` turns that sample into a FittedBaseline.
 */
export interface SampledBaseline {
  halo: number;
  features(strip: ReflectanceStrip): Float32Array[];
  fit(sample: Float32Array[]): FittedBaseline | Promise<FittedBaseline>;
}
