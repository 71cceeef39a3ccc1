/**
 * Procedural noise for synthetic scenes: hash-based value noise, summed over octaves (fBm),
 * and a jittered-grid Voronoi partition. Everything is a pure function of integer lattice
 * coordinates and a seed, so any window of the infinite plane can be sampled and two
 * overlapping windows agree exactly.
 */

/** A 32-bit integer hash of a lattice point, mapped to [0, 1). */
export function latticeHash(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Derives an independent seed for a sub-stream (an octave, a date, a layer). */
export function subSeed(seed: number, stream: number): number {
  return (Math.floor(latticeHash(stream, 0x3c6ef372, seed) * 4294967296) | 0) >>> 0;
}

export interface FbmLayer {
  seed: number;
  /** Period of the coarsest octave in pixels. */
  period: number;
  octaves: number;
  /** Amplitude ratio between successive octaves (0.5 = classic fBm). */
  persistence?: number;
  /** Orientation of the stretched axis, radians (anisotropic noise, e.g. cirrus streaks). */
  angle?: number;
  /** Stretch of the period along `angle` (1 = isotropic). */
  stretch?: number;
}

/**
 * fBm value noise on the pixel window [x0, x0 + width) x [y0, y0 + height), row-major,
 * normalised so that values lie in [0, 1] (mean about 0.5, narrower spread than uniform).
 */
export function fbm(width: number, height: number, x0: number, y0: number, layer: FbmLayer): Float32Array {
  const out = new Float32Array(width * height);
  const persistence = layer.persistence ?? 0.5;
  let amplitude = 1;
  let amplitudeSum = 0;
  for (let octave = 0; octave < layer.octaves; octave += 1) {
    const period = layer.period / 2 ** octave;
    if (period < 1.5) break;
    addValueNoiseOctave(out, width, height, x0, y0, period, layer.stretch ?? 1, layer.angle ?? 0, subSeed(layer.seed, octave), amplitude);
    amplitudeSum += amplitude;
    amplitude *= persistence;
  }
  const scale = 1 / amplitudeSum;
  for (let i = 0; i < out.length; i += 1) out[i] *= scale;
  return out;
}

/** Adds amplitude * (one octave of smoothly interpolated value noise) to `out`. */
function addValueNoiseOctave(
  out: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  period: number,
  stretch: number,
  angle: number,
  seed: number,
  amplitude: number,
): void {
  // Lattice coordinates (u, v) are an affine function of the pixel (x, y).
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const uPerX = cos / (period * stretch);
  const uPerY = sin / (period * stretch);
  const vPerX = -sin / period;
  const vPerY = cos / period;
  const corners = [
    [x0, y0],
    [x0 + width, y0],
    [x0, y0 + height],
    [x0 + width, y0 + height],
  ];
  let uMin = Infinity;
  let uMax = -Infinity;
  let vMin = Infinity;
  let vMax = -Infinity;
  for (const [x, y] of corners) {
    const u = x * uPerX + y * uPerY;
    const v = x * vPerX + y * vPerY;
    uMin = Math.min(uMin, u);
    uMax = Math.max(uMax, u);
    vMin = Math.min(vMin, v);
    vMax = Math.max(vMax, v);
  }
  const iu0 = Math.floor(uMin) - 1;
  const iv0 = Math.floor(vMin) - 1;
  const latticeWidth = Math.floor(uMax) + 3 - iu0;
  const latticeHeight = Math.floor(vMax) + 3 - iv0;
  const lattice = new Float32Array(latticeWidth * latticeHeight);
  for (let j = 0; j < latticeHeight; j += 1) {
    for (let i = 0; i < latticeWidth; i += 1) lattice[j * latticeWidth + i] = latticeHash(iu0 + i, iv0 + j, seed);
  }
  if (angle === 0 && stretch === 1) {
    addAxisAlignedOctave(out, width, height, x0, y0, period, lattice, latticeWidth, iu0, iv0, amplitude);
    return;
  }
  for (let row = 0; row < height; row += 1) {
    const y = y0 + row;
    let u = x0 * uPerX + y * uPerY - iu0;
    let v = x0 * vPerX + y * vPerY - iv0;
    const base = row * width;
    for (let col = 0; col < width; col += 1) {
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      const su = fu * fu * (3 - 2 * fu);
      const sv = fv * fv * (3 - 2 * fv);
      const k = iv * latticeWidth + iu;
      const top = lattice[k] + (lattice[k + 1] - lattice[k]) * su;
      const bottom = lattice[k + latticeWidth] + (lattice[k + latticeWidth + 1] - lattice[k + latticeWidth]) * su;
      out[base + col] += amplitude * (top + (bottom - top) * sv);
      u += uPerX;
      v += vPerX;
    }
  }
}

/** The common isotropic case: lattice columns and weights depend on x only, rows on y only. */
function addAxisAlignedOctave(
  out: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  period: number,
  lattice: Float32Array,
  latticeWidth: number,
  iu0: number,
  iv0: number,
  amplitude: number,
): void {
  const columnIndex = new Int32Array(width);
  const columnWeight = new Float32Array(width);
  for (let col = 0; col < width; col += 1) {
    const u = (x0 + col) / period - iu0;
    const iu = Math.floor(u);
    const fu = u - iu;
    columnIndex[col] = iu;
    columnWeight[col] = fu * fu * (3 - 2 * fu);
  }
  for (let row = 0; row < height; row += 1) {
    const v = (y0 + row) / period - iv0;
    const iv = Math.floor(v);
    const fv = v - iv;
    const sv = fv * fv * (3 - 2 * fv);
    const topRow = iv * latticeWidth;
    const bottomRow = topRow + latticeWidth;
    const base = row * width;
    for (let col = 0; col < width; col += 1) {
      const iu = columnIndex[col];
      const su = columnWeight[col];
      const a = lattice[topRow + iu];
      const c = lattice[bottomRow + iu];
      const top = a + (lattice[topRow + iu + 1] - a) * su;
      const bottom = c + (lattice[bottomRow + iu + 1] - c) * su;
      out[base + col] += amplitude * (top + (bottom - top) * sv);
    }
  }
}

export interface VoronoiPartition {
  /** Cell id per pixel: an integer identifying the cell's seed point, stable across windows. */
  cell: Int32Array;
  /** Distance to the second-nearest seed minus distance to the nearest one (pixels): small near cell borders. */
  borderDistance: Float32Array;
  /** Upper bound (exclusive) of the cell ids. */
  cellCount: number;
}

/** Jittered-grid Voronoi cells of about `cellSize` pixels over a width x height image. */
export function voronoi(width: number, height: number, cellSize: number, seed: number): VoronoiPartition {
  const cell = new Int32Array(width * height);
  const borderDistance = new Float32Array(width * height);
  const gridWidth = Math.ceil(width / cellSize) + 2;
  const gridHeight = Math.ceil(height / cellSize) + 2;
  // Seed points for grid cells -1 .. gridWidth-2 (one ring outside the image).
  const seedX = new Float32Array(gridWidth * gridHeight);
  const seedY = new Float32Array(gridWidth * gridHeight);
  for (let gy = 0; gy < gridHeight; gy += 1) {
    for (let gx = 0; gx < gridWidth; gx += 1) {
      seedX[gy * gridWidth + gx] = (gx - 1 + 0.1 + 0.8 * latticeHash(gx, gy, seed)) * cellSize;
      seedY[gy * gridWidth + gx] = (gy - 1 + 0.1 + 0.8 * latticeHash(gx, gy, seed ^ 0x5f356495)) * cellSize;
    }
  }
  for (let y = 0; y < height; y += 1) {
    const gy = Math.floor(y / cellSize) + 1;
    for (let x = 0; x < width; x += 1) {
      const gx = Math.floor(x / cellSize) + 1;
      let best = Infinity;
      let second = Infinity;
      let bestIndex = 0;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const index = (gy + dy) * gridWidth + gx + dx;
          const ddx = seedX[index] - x - 0.5;
          const ddy = seedY[index] - y - 0.5;
          const d = ddx * ddx + ddy * ddy;
          if (d < best) {
            second = best;
            best = d;
            bestIndex = index;
          } else if (d < second) second = d;
        }
      }
      cell[y * width + x] = bestIndex;
      borderDistance[y * width + x] = Math.sqrt(second) - Math.sqrt(best);
    }
  }
  return { cell, borderDistance, cellCount: gridWidth * gridHeight };
}

/** Value below which `fraction` of the sampled values lie (histogram estimate, exact to 1/4096 of the range). */
export function quantile(values: Float32Array, fraction: number): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return min;
  const bins = 4096;
  const histogram = new Uint32Array(bins);
  const scale = (bins - 1) / (max - min);
  for (let i = 0; i < values.length; i += 1) histogram[Math.floor((values[i] - min) * scale)] += 1;
  const target = Math.min(Math.max(fraction, 0), 1) * values.length;
  let cumulative = 0;
  for (let bin = 0; bin < bins; bin += 1) {
    cumulative += histogram[bin];
    if (cumulative >= target) return min + (bin + 1) / scale;
  }
  return max;
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(Math.max((x - edge0) / (edge1 - edge0), 0), 1);
  return t * t * (3 - 2 * t);
}
