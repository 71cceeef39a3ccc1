import { AutocmError } from '../util/errors.js';
import { labelComponents } from './components.js';
import { bandNamed, darkness } from './darkness.js';
import { searchDirection } from './direction-search.js';
import { defaultShadowParameters, WINDOW_CLEAR, WINDOW_CLOUD, type ShadowParameters, type ShadowResult, type ShadowWindow, type SunAngles } from './shadow-types.js';

/** Sun angles that geometry can use: elevation in (0, 90], a finite azimuth. */
export function usableSun(sun: SunAngles | undefined): boolean {
  return sun !== undefined && Number.isFinite(sun.azimuth) && Number.isFinite(sun.elevation) && sun.elevation > 0 && sun.elevation <= 90;
}

/**
 * Cloud shadows of one window (core + halo): every cloud object is displaced along the shadow
 * direction (from the sun azimuth, else searched in the window) by the distance, within the
 * range that cloud heights and the sun elevation allow, that lands it on the most dark pixels;
 * objects whose best landing is dark enough cast a shadow, which is their displaced shape
 * (grown by a few pixels) where the ground is dark. Darkness is measured against the clear-sky
 * reference when given, else against the pixel's surroundings.
 */
export function detectShadows(window: ShadowWindow, parameters: ShadowParameters = defaultShadowParameters): ShadowResult {
  const { width, height, cloud } = window;
  if (!bandNamed(window.bands, 'nir')) throw new AutocmError(`shadow detection needs a NIR band (have ${window.bands.map((b) => b.name).join(', ')})`);
  const n = width * height;
  const result: ShadowResult = { shadow: new Uint8Array(n), probability: new Float32Array(n), direction: null, directionSource: 'none', medianShift: 0, matchedObjects: 0, searchedObjects: 0 };
  for (let i = 0; i < n; i++) if (cloud[i] !== WINDOW_CLEAR && cloud[i] !== WINDOW_CLOUD) result.probability[i] = Number.NaN;
  let cloudPixels = 0;
  for (let i = 0; i < n; i++) if (cloud[i] === WINDOW_CLOUD) cloudPixels++;
  // No cloud, no shadow: the darkness is not needed.
  if (cloudPixels === 0) return result;
  const { dark, inProjection } = darkness(window, parameters);

  let minShift = 1;
  let maxShift = parameters.maxShift;
  let direction: { x: number; y: number } | null = null;
  if (usableSun(window.sun)) {
    const az = (window.sun!.azimuth * Math.PI) / 180;
    const tanElevation = Math.tan((Math.min(window.sun!.elevation, 89.9) * Math.PI) / 180);
    direction = { x: -Math.sin(az), y: Math.cos(az) };
    minShift = Math.max(1, Math.floor(parameters.minCloudHeight / tanElevation / window.pixelSize));
    maxShift = Math.min(parameters.maxShift, Math.ceil(parameters.maxCloudHeight / tanElevation / window.pixelSize));
    minShift = Math.min(minShift, maxShift);
    result.directionSource = 'sun';
  } else {
    const found = searchDirection(cloud, dark, width, height, 1, parameters.maxShift, parameters.searchDarkness);
    if (found) {
      direction = refineDirection(found, cloud, dark, parameters.maxShift, width, height, parameters.refineDegrees);
      result.directionSource = 'search';
    }
  }
  if (!direction) return result;
  result.direction = direction;

  const { pixels, labels } = labelComponents((i) => cloud[i] === WINDOW_CLOUD, width, height);
  // One displacement for the whole window first (clouds of a scene share a height band), then
  // each object searches around it.
  const sceneShift = sceneDisplacement(cloud, dark, direction, minShift, maxShift, width, height).shift;
  if (sceneShift > 0 && parameters.objectSpread > 0) {
    minShift = Math.max(minShift, Math.floor(sceneShift / parameters.objectSpread));
    maxShift = Math.min(maxShift, Math.ceil(sceneShift * parameters.objectSpread));
  }
  const offsets = shiftOffsets(direction, minShift, maxShift, width);
  const chosen: number[] = [];
  const objectShift = new Int32Array(pixels.length).fill(-1);
  pixels.forEach((members, index) => {
    if (members.length < parameters.minObjectPixels) return;
    result.searchedObjects++;
    const best = bestOffset(members, index + 1, labels, offsets, cloud, dark, width, height, parameters.minMatch, parameters.netMatch);
    if (best.score >= parameters.minMatch) {
      objectShift[index] = best.offset;
      chosen.push(offsets[best.offset]!.distance);
      result.matchedObjects++;
    }
  });
  const projected = new Uint8Array(n);
  if (chosen.length > 0) {
    chosen.sort((a, b) => a - b);
    result.medianShift = chosen[Math.floor(chosen.length / 2)]!;
    const medianOffset = offsets.reduce((best, o, k) => (Math.abs(o.distance - result.medianShift) < Math.abs(offsets[best]!.distance - result.medianShift) ? k : best), 0);
    pixels.forEach((members, index) => {
      const k = objectShift[index]! >= 0 ? objectShift[index]! : members.length < parameters.minObjectPixels ? medianOffset : -1;
      if (k < 0) return;
      const { dx, dy } = offsets[k]!;
      for (let m = 0; m < members.length; m++) {
        const i = members[m]!;
        const x = (i % width) + dx;
        const y = Math.floor(i / width) + dy;
        if (x >= 0 && y >= 0 && x < width && y < height) projected[y * width + x] = 1;
      }
    });
  }
  const grown = growSquare(projected, width, height, parameters.projectionGrowth);
  // Inside a matched projection the geometry vouches for the pixel, so weaker darkness suffices.
  const confident = parameters.projectionDarkness < 0.5 ? grown.slice() : null;
  // Rays towards the sun: as far as the matched objects suggest, else (known sun) the whole height range.
  const far = result.medianShift > 0 ? Math.ceil(parameters.rayReach * result.medianShift) : result.directionSource === 'sun' ? maxShift : 0;
  if (parameters.rayReach > 0 && far > 0) castRays(grown, cloud, direction, Math.max(1, Math.floor(minShift)), far, width, height, parameters.openEdges);
  for (let i = 0; i < n; i++) {
    if (cloud[i] !== WINDOW_CLEAR) continue;
    const p = confident?.[i] ? inProjection[i]! : grown[i] ? dark[i]! : 0;
    result.probability[i] = Number.isNaN(p) ? 0 : p;
    if (grown[i] && p >= 0.5) result.shadow[i] = 1;
    else if (confident && confident[i] && p >= parameters.projectionDarkness) result.shadow[i] = 1;
  }
  return result;
}

/** The displacement along `direction` that lands the most cloud pixels (pooled) on dark ground; 0 when none does. */
function sceneDisplacement(cloud: Uint8Array, dark: Float32Array, direction: { x: number; y: number }, minShift: number, maxShift: number, width: number, height: number): { shift: number; score: number } {
  const cloudIndex: number[] = [];
  let total = 0;
  for (let i = 0; i < cloud.length; i++) if (cloud[i] === WINDOW_CLOUD) total++;
  const stride = Math.max(1, Math.floor(total / 20000));
  let seen = 0;
  for (let i = 0; i < cloud.length; i++) if (cloud[i] === WINDOW_CLOUD && seen++ % stride === 0) cloudIndex.push(i);
  const xs = Int32Array.from(cloudIndex, (i) => i % width);
  const ys = Int32Array.from(cloudIndex, (i) => Math.floor(i / width));
  let best = 0;
  let bestScore = 0;
  for (let d = Math.max(1, minShift); d <= maxShift; d++) {
    const dx = Math.round(d * direction.x);
    const dy = Math.round(d * direction.y);
    let known = 0;
    let matched = 0;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k]! + dx;
      const y = ys[k]! + dy;
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      const t = y * width + x;
      if (cloud[t] !== WINDOW_CLEAR) continue;
      known++;
      if (dark[t]! >= 0.5) matched++;
    }
    if (known < Math.max(9, 0.1 * cloudIndex.length)) continue;
    const score = matched / known;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return { shift: best, score: bestScore };
}

/** The searched direction turned by up to `degrees` either way (1-degree steps) to the best full-resolution match. */
function refineDirection(found: { x: number; y: number }, cloud: Uint8Array, dark: Float32Array, maxShift: number, width: number, height: number, degrees: number): { x: number; y: number } {
  const angle = Math.atan2(found.y, found.x);
  let best = { x: found.x, y: found.y };
  let bestScore = -1;
  for (let k = -degrees; k <= degrees; k++) {
    const a = angle + (k * Math.PI) / 180;
    const candidate = { x: Math.cos(a), y: Math.sin(a) };
    const { score } = sceneDisplacement(cloud, dark, candidate, 1, maxShift, width, height);
    if (score > bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return best;
}

interface Offset {
  dx: number;
  dy: number;
  distance: number;
}

/** The distinct whole-pixel displacements along `direction` from `minShift` to `maxShift` pixels. */
function shiftOffsets(direction: { x: number; y: number }, minShift: number, maxShift: number, width: number): Offset[] {
  const offsets: Offset[] = [];
  const seen = new Set<number>();
  for (let d = minShift; d <= maxShift; d++) {
    const dx = Math.round(d * direction.x);
    const dy = Math.round(d * direction.y);
    const key = dy * (2 * width + 1) + dx;
    if (seen.has(key)) continue;
    seen.add(key);
    offsets.push({ dx, dy, distance: d });
  }
  return offsets;
}

/**
 * The displacement of one cloud object whose landing matches best (Fmask's object matching):
 * the share of its landed pixels that are dark or under another cloud (a shadow may hide there),
 * pixels landing on the object itself or outside the window left out (a landing needs 30 % of
 * the object inside the window, its own pixels included, and 3 pixels off it). Displacements are tried
 * from near to far. With `netScore` (default) the landing with the most dark minus bright clear
 * pixels among those matching at least `minMatch` wins (a near landing that only grazes the dark
 * rim of its shadow covers few dark pixels; ties go to the nearer); without it the search stops
 * once a match above `minMatch` starts to fall off (Fmask's rule).
 */
function bestOffset(members: Int32Array, label: number, labels: Int32Array, offsets: Offset[], cloud: Uint8Array, dark: Float32Array, width: number, height: number, minMatch: number, netScore: boolean): { offset: number; score: number } {
  let bestNet = -Infinity;
  const stride = Math.max(1, Math.ceil(members.length / 2000));
  const sampled = Math.ceil(members.length / stride);
  let best = { offset: -1, score: 0 };
  const xs = new Int32Array(sampled);
  const ys = new Int32Array(sampled);
  for (let m = 0, s = 0; m < members.length; m += stride, s++) {
    xs[s] = members[m]! % width;
    ys[s] = Math.floor(members[m]! / width);
  }
  for (let k = 0; k < offsets.length; k++) {
    const { dx, dy } = offsets[k]!;
    let known = 0;
    let matched = 0;
    let darkHits = 0;
    let inWindow = 0;
    for (let s = 0; s < sampled; s++) {
      const x = xs[s]! + dx;
      const y = ys[s]! + dy;
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      const t = y * width + x;
      if (cloud[t] === 255) continue;
      inWindow++;
      if (labels[t] === label) continue;
      known++;
      if (cloud[t] === WINDOW_CLOUD) matched++;
      else if (dark[t]! >= 0.5) {
        matched++;
        darkHits++;
      }
    }
    // Landings mostly outside the window, or with no dark pixel at all, say little. Landings on
    // the object itself count as inside: a large cloud hides most of its shadow under itself, and
    // only the rim it uncovers can be matched (requiring 30 % of the object uncovered left every
    // cloud deck larger than its displacement unmatched).
    if (inWindow < Math.max(3, 0.3 * sampled) || known < 3 || darkHits === 0) continue;
    const score = matched / known;
    if (netScore) {
      const net = darkHits - (known - matched);
      if (score >= minMatch && net > bestNet) {
        bestNet = net;
        best = { offset: k, score };
      }
      continue;
    }
    if (score > best.score) best = { offset: k, score };
    else if (best.score >= minMatch && score < 0.95 * best.score) break;
  }
  return best;
}

/** Dilation of a 0/1 mask by a (2r+1)^2 square. */
function growSquare(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return mask;
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    let last = -Infinity;
    let next = Infinity;
    for (let x = width - 1; x >= 0; x--) {
      if (mask[y * width + x]) next = x;
      if (next - x <= radius) rows[y * width + x] = 1;
    }
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) last = x;
      if (x - last <= radius) rows[y * width + x] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) {
    let last = -Infinity;
    let next = Infinity;
    for (let y = height - 1; y >= 0; y--) {
      if (rows[y * width + x]) next = y;
      if (next - y <= radius) out[y * width + x] = 1;
    }
    for (let y = 0; y < height; y++) {
      if (rows[y * width + x]) last = y;
      if (y - last <= radius) out[y * width + x] = 1;
    }
  }
  return out;
}

/** Marks every pixel that has a cloud pixel between `near` and `far` pixels towards the sun (or, with `openEdges`, whose ray leaves the window first). */
function castRays(into: Uint8Array, cloud: Uint8Array, direction: { x: number; y: number }, near: number, far: number, width: number, height: number, openEdges: boolean): void {
  const steps: number[][] = [];
  for (let k = near; k <= far; k++) steps.push([Math.round(-k * direction.x), Math.round(-k * direction.y)]);
  // The steps run monotonically in x and in y, so a ray stays in the box of its first and last
  // step, and once it leaves the window it stays out. A ray whose last step leaves the window is
  // decided by `openEdges` or by a cloud before it leaves; one inside the window with no cloud in
  // its box is not shadowed: only rays with a cloud in their box are walked.
  if (steps.length === 0) return;
  const [firstX, firstY] = steps[0]!;
  const [lastX, lastY] = steps[steps.length - 1]!;
  const boxX0 = Math.min(firstX!, lastX!);
  const boxX1 = Math.max(firstX!, lastX!);
  const boxY0 = Math.min(firstY!, lastY!);
  const boxY1 = Math.max(firstY!, lastY!);
  const clouds = cloudCounts(cloud, width, height);
  const stride = width + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (into[i] || cloud[i] !== WINDOW_CLEAR) continue;
      const leaves = x + lastX! < 0 || x + lastX! >= width || y + lastY! < 0 || y + lastY! >= height;
      if (leaves && openEdges) {
        into[i] = 1;
        continue;
      }
      const x0 = Math.max(0, x + boxX0);
      const x1 = Math.min(width - 1, x + boxX1);
      const y0 = Math.max(0, y + boxY0);
      const y1 = Math.min(height - 1, y + boxY1);
      if (x0 > x1 || y0 > y1) continue;
      if (clouds[(y1 + 1) * stride + x1 + 1]! - clouds[y0 * stride + x1 + 1]! - clouds[(y1 + 1) * stride + x0]! + clouds[y0 * stride + x0]! === 0) continue;
      for (const [dx, dy] of steps) {
        const xx = x + dx!;
        const yy = y + dy!;
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) {
          // A cloud beyond the window may cast it.
          if (openEdges) into[i] = 1;
          break;
        }
        if (cloud[yy * width + xx] === WINDOW_CLOUD) {
          into[i] = 1;
          break;
        }
      }
    }
  }
}

/** Summed-area table of the cloud pixels: entry (y, x) of a (height + 1) x (width + 1) grid counts those above and left of (y, x). */
function cloudCounts(cloud: Uint8Array, width: number, height: number): Int32Array {
  const stride = width + 1;
  const counts = new Int32Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      if (cloud[y * width + x] === WINDOW_CLOUD) row++;
      counts[(y + 1) * stride + x + 1] = counts[y * stride + x + 1]! + row;
    }
  }
  return counts;
}
