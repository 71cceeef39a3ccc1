/** The demo's two sizes: a full run that fits in minutes on a 2-core laptop, and a smoke run for tests. */
export interface DemoConfig {
  size: number;
  dates: number;
  seed: number;
  /** Images per pack (three packs of K consecutive dates per training sample). */
  k: number;
  crop: number;
  /** Grid of the second crop's offsets. */
  offsetGrid: number;
  steps: number;
  /** Above the method's 1e-4 so that a few hundred steps move the network. */
  learningRate: number;
  /** Dates of the separate stack that calibrates the threshold. */
  calibrationDates: number;
  /** Largest side of the report pictures (0 = no pictures). */
  pictureMaxSide: number;
}

export const FULL_DEMO: DemoConfig = { size: 256, dates: 30, seed: 1, k: 5, crop: 64, offsetGrid: 16, steps: 300, learningRate: 1e-3, calibrationDates: 10, pictureMaxSide: 256 };
export const QUICK_DEMO: DemoConfig = { size: 64, dates: 9, seed: 1, k: 3, crop: 32, offsetGrid: 8, steps: 3, learningRate: 1e-3, calibrationDates: 6, pictureMaxSide: 64 };

/** The baselines the demo scores Auto-CM against. */
export const DEMO_BASELINES = ['threshold', 'hot', 'kmeans', 'dec', 'temporal-mad', 'tmask'] as const;
