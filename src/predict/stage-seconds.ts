/**
 * Where a scene's prediction time goes, in seconds summed over its tiles. Stages overlap (tiles
 * are read and normalised in a worker thread, strips written while the next tiles run), so the
 * sum exceeds the wall time; `waitTile` and `waitWrite` are the main thread's waits on them.
 */
export interface StageSeconds {
  /** Reading and decoding the image (tile reader). */
  read: number;
  /** Normalising tiles (tile reader). */
  normalise: number;
  /** Main thread waiting for the next tile. */
  waitTile: number;
  /** The network. */
  infer: number;
  /** Blending tiles and turning sums into probability and mask rows. */
  blend: number;
  /** Compressing and writing output strips (from start to end of each write). */
  write: number;
  /** Main thread waiting for the previous strip's write. */
  waitWrite: number;
}

export function noStageSeconds(): StageSeconds {
  return { read: 0, normalise: 0, waitTile: 0, infer: 0, blend: 0, write: 0, waitWrite: 0 };
}

/** Seconds since `started` (a performance.now() value). */
export function since(started: number): number {
  return (performance.now() - started) / 1000;
}
