import { createRandom } from '../util/random.js';
import { fbm, quantile, smoothstep, subSeed } from './noise.js';

/**
 * A pixel counts as cloud in the truth when the combined opacity of thick cloud, cirrus and
 * haze reaches this value; fainter haze and cirrus alter the pixel but stay "clear", and a
 * cloud's soft edge is labelled cloud only from this opacity inwards. The same threshold
 * decides which part of the (soft) shadow is labelled shadow.
 */
export const CLOUD_OPACITY_THRESHOLD = 0.3;

/** Sun geometry of a date and the resulting shadow displacement. */
export interface SunGeometry {
  /** Clockwise from north, degrees. */
  azimuthDeg: number;
  elevationDeg: number;
  /**
   * Where a cloud's shadow lies relative to the cloud, in pixels [dx east, dy south]: opposite
   * the sun. Its length is scaled to the scene (a fraction of its size), not metric, so that
   * shadows stay in small scenes.
   */
  shadowOffsetPx: [number, number];
}

/** Everything that lies between the ground and the sensor on one date. */
export interface DateAtmosphere {
  /** Target fraction of thick cloud drawn for the date (0 for a clear date). */
  cloudCoverTarget: number;
  /** Opacity of thick cloud per pixel in [0, 1]. */
  cloudOpacity: Float32Array;
  /** Visible reflectance of the cloud top per pixel (thick cores brighter). */
  cloudBrightness: Float32Array;
  /** Opacity of the cloud casting a shadow on each pixel (the cloud opacity displaced by the shadow offset). */
  shadowOpacity: Float32Array;
  /** Fraction of direct light that the shadow leaves (0.3-0.6): the shadow multiplies reflectance by it. */
  shadowDarkness: number;
  hazeOpacity: Float32Array | null;
  hazeMaxOpacity: number;
  cirrusOpacity: Float32Array | null;
  cirrusMaxOpacity: number;
  /** Visible reflectance of fully opaque cirrus. */
  cirrusBrightness: number;
  sun: SunGeometry;
  /** 1 where the sensor recorded nothing (scene edge or dropped lines). */
  nodata: Uint8Array;
  /** Seed of the sensor-noise stream of the date. */
  noiseSeed: number;
}

export interface AtmosphereOptions {
  size: number;
  seed: number;
  dateIndex: number;
  dayOfYear: number;
  /** Whether the sensor drops scan lines (Landsat-like stripes). */
  stripes: boolean;
}

/**
 * Draws the clouds, haze, cirrus, shadows and nodata of one date. A date depends only on the
 * seed and its index, so clouds are independent between dates (days apart, as in real
 * series): they move and change shape from one date to the next.
 */
export function atmosphereForDate(options: AtmosphereOptions): DateAtmosphere {
  const { size, seed, dateIndex, dayOfYear } = options;
  const random = createRandom(subSeed(seed, 1000 + dateIndex));
  // Draw every parameter up front, in a fixed order, whatever the branches use.
  const isClear = random.next() < 0.22;
  const coverDraw = random.next();
  const periodDraw = random.next();
  const edgeDraw = random.next();
  const opacityDraw = random.next();
  const brightnessDraw = random.next();
  const edgeBrightnessDraw = random.next();
  const hasHaze = random.next() < 0.3;
  const hazeDraw = random.next();
  const hasCirrus = random.next() < 0.25;
  const cirrusDraw = random.next();
  const cirrusAngle = random.next() * Math.PI;
  const cirrusBrightnessDraw = random.next();
  const azimuthDraw = random.next();
  const elevationDraw = random.next();
  const heightDraw = random.next();
  const darknessDraw = random.next();
  const hasEdge = random.next() < 0.2 && dateIndex > 0;
  const edgeSide = random.int(4);
  const edgeFraction = 0.05 + 0.3 * random.next();
  const edgeTilt = (random.next() - 0.5) * 0.4;
  const hasStripes = options.stripes ? random.next() < 0.5 : random.next() < 0.08;
  const stripeSeed = random.int(2 ** 31);
  const fieldSeed = random.int(2 ** 31);
  const noiseSeed = random.int(2 ** 31);

  const cloudCoverTarget = isClear ? 0 : 0.02 + 0.68 * coverDraw ** 1.4;
  const sun = sunGeometry(size, dayOfYear, azimuthDraw, elevationDraw, heightDraw);
  const pixels = size * size;
  const cloudOpacity = new Float32Array(pixels);
  const cloudBrightness = new Float32Array(pixels);
  const shadowOpacity = new Float32Array(pixels);

  if (cloudCoverTarget > 0) {
    const [dx, dy] = sun.shadowOffsetPx;
    // One field over the image and the area its shadows come from, so both agree exactly.
    const x0 = Math.min(0, -dx);
    const y0 = Math.min(0, -dy);
    const fieldWidth = size + Math.abs(dx);
    const fieldHeight = size + Math.abs(dy);
    const field = fbm(fieldWidth, fieldHeight, x0, y0, {
      seed: fieldSeed,
      period: size * (0.1 + 0.3 * periodDraw),
      octaves: 6,
      persistence: 0.55,
    });
    const imageField = new Float32Array(pixels);
    for (let y = 0; y < size; y += 1) {
      const row = (y - y0) * fieldWidth - x0;
      imageField.set(field.subarray(row, row + size), y * size);
    }
    const threshold = quantile(imageField, 1 - cloudCoverTarget);
    let fieldMax = threshold;
    for (let i = 0; i < imageField.length; i += 1) fieldMax = Math.max(fieldMax, imageField[i]);
    const edgeWidth = 0.02 + 0.06 * edgeDraw;
    const maxOpacity = 0.85 + 0.15 * opacityDraw;
    const coreBrightness = 0.55 + 0.35 * brightnessDraw;
    const edgeBrightness = 0.35 + 0.12 * edgeBrightnessDraw;
    const opacityAt = (value: number) => maxOpacity * smoothstep(threshold - 0.35 * edgeWidth, threshold + 0.65 * edgeWidth, value);
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const i = y * size + x;
        const value = imageField[i];
        cloudOpacity[i] = opacityAt(value);
        const core = Math.min(1, Math.max(0, (value - threshold) / Math.max(fieldMax - threshold, 1e-6)));
        cloudBrightness[i] = edgeBrightness + (coreBrightness - edgeBrightness) * Math.sqrt(core);
        // The shadow on (x, y) is cast by the cloud at (x - dx, y - dy).
        shadowOpacity[i] = opacityAt(field[(y - dy - y0) * fieldWidth + (x - dx - x0)]);
      }
    }
  }

  let hazeOpacity: Float32Array | null = null;
  const hazeMaxOpacity = hasHaze ? 0.05 + 0.35 * hazeDraw : 0;
  if (hasHaze) {
    const haze = fbm(size, size, 0, 0, { seed: subSeed(fieldSeed, 1), period: size / 1.2, octaves: 3 });
    const low = quantile(haze, 0.2);
    const high = quantile(haze, 0.95);
    hazeOpacity = haze.map((value) => hazeMaxOpacity * smoothstep(low, high, value));
  }

  let cirrusOpacity: Float32Array | null = null;
  const cirrusMaxOpacity = hasCirrus ? 0.15 + 0.35 * cirrusDraw : 0;
  if (hasCirrus) {
    // Streaks: noise stretched six-fold along a random direction.
    const streaks = fbm(size, size, 0, 0, { seed: subSeed(fieldSeed, 2), period: size / 5, octaves: 4, angle: cirrusAngle, stretch: 6 });
    const low = quantile(streaks, 0.55);
    const high = quantile(streaks, 0.95);
    cirrusOpacity = streaks.map((value) => cirrusMaxOpacity * smoothstep(low, high, value));
  }

  const nodata = new Uint8Array(pixels);
  if (hasEdge) markSceneEdge(nodata, size, edgeSide, edgeFraction, edgeTilt);
  if (hasStripes) markStripes(nodata, size, stripeSeed);

  return {
    cloudCoverTarget,
    cloudOpacity,
    cloudBrightness,
    shadowOpacity,
    shadowDarkness: 0.3 + 0.3 * darknessDraw,
    hazeOpacity,
    hazeMaxOpacity,
    cirrusOpacity,
    cirrusMaxOpacity,
    cirrusBrightness: 0.45 + 0.3 * cirrusBrightnessDraw,
    sun,
    nodata,
    noiseSeed,
  };
}

/**
 * The atmosphere of a width x height image: that of the square of the longer side, cropped to
 * its top-left corner (the drawing code works on squares).
 */
export function atmosphereForGrid(width: number, height: number, options: Omit<AtmosphereOptions, 'size'>): DateAtmosphere {
  const size = Math.max(width, height);
  const square = atmosphereForDate({ ...options, size });
  if (width === size && height === size) return square;
  function crop<T extends Float32Array | Uint8Array>(values: T): T {
    const out = values.slice(0, width * height) as T;
    for (let y = 1; y < height; y += 1) out.set(values.subarray(y * size, y * size + width), y * width);
    return out;
  }
  return {
    ...square,
    cloudOpacity: crop(square.cloudOpacity),
    cloudBrightness: crop(square.cloudBrightness),
    shadowOpacity: crop(square.shadowOpacity),
    hazeOpacity: square.hazeOpacity && crop(square.hazeOpacity),
    cirrusOpacity: square.cirrusOpacity && crop(square.cirrusOpacity),
    nodata: crop(square.nodata),
  };
}

/**
 * Mid-morning sun of a mid-latitude northern scene: azimuth 140-160 deg (south-east),
 * elevation following the season. Shadows fall opposite the sun, longer when it is low.
 */
function sunGeometry(size: number, dayOfYear: number, azimuthDraw: number, elevationDraw: number, heightDraw: number): SunGeometry {
  const azimuthDeg = 140 + 20 * azimuthDraw;
  const elevationDeg = 40 + 22 * Math.cos((2 * Math.PI * (dayOfYear - 172)) / 365) + 4 * (elevationDraw - 0.5);
  const cloudHeight = 0.6 + 0.8 * heightDraw;
  const length = Math.min(0.15 * size, Math.max(0.02 * size, (0.05 * size * cloudHeight) / Math.tan((elevationDeg * Math.PI) / 180)));
  const azimuth = (azimuthDeg * Math.PI) / 180;
  // Towards the sun is (sin az, -cos az) in image axes (x east, y south); shadows go the other way.
  const dx = Math.round(-length * Math.sin(azimuth));
  const dy = Math.round(length * Math.cos(azimuth));
  return { azimuthDeg, elevationDeg, shadowOffsetPx: [dx, dy] };
}

/** A straight, slightly tilted scene edge cutting `fraction` of the image off one side. */
function markSceneEdge(nodata: Uint8Array, size: number, side: number, fraction: number, tilt: number): void {
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      // Distance into the image from the chosen side, in units of the size, plus the tilt.
      const across = side === 0 ? x : side === 1 ? size - 1 - x : side === 2 ? y : size - 1 - y;
      const along = side < 2 ? y : x;
      if (across / size < fraction + tilt * (along / size - 0.5)) nodata[y * size + x] = 1;
    }
  }
}

/** A few bands of dropped scan lines (2-6 rows each). */
function markStripes(nodata: Uint8Array, size: number, seed: number): void {
  const random = createRandom(seed);
  const count = 1 + random.int(4);
  for (let s = 0; s < count; s += 1) {
    const start = random.int(size);
    const rows = 2 + random.int(5);
    for (let y = start; y < Math.min(size, start + rows); y += 1) nodata.fill(1, y * size, (y + 1) * size);
  }
}
