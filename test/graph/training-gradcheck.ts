/** Finite-difference gradient checks in float64 against gradients computed by an ONNX graph. */
import type { ConvSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { type Random, createRandom } from '../../src/util/random.js';

export interface TensorCheck {
  name: string;
  /** Directional derivative error / max(|reference|, ||g|| ||d|| / sqrt(n)). */
  directional: number;
  /** max |g_i - fd_i| over checked entries / max |g| of the tensor. */
  entries: number;
}

/**
 * Step per unit of direction. The networks have ~1e5 ReLU units and max-pool ties; a step of 1e-6
 * along a dense direction already crosses kinks (measured: central differences at 1e-6 and 2.5e-7
 * differ by 3 %), while 1e-8 and 2.5e-9 agree to 1e-6 and float64 rounding stays below 1e-6.
 * A direction whose differences at STEP and STEP/4 still disagree is redrawn (at most MAX_DRAWS).
 */
const STEP = 1e-8;
const MAX_DRAWS = 4;

/**
 * Test parameters: the Keras initialisation training starts from (well-conditioned: random betas
 * and biases make near-dead channels whose BN gradients are dominated by float32 rounding), with
 * random moving statistics so that their update is visible.
 */
export function testParameters(layers: ConvSpec[], seed: number): Map<string, Float32Array> {
  const params = initParameters(layers, seed);
  const random = createRandom(seed + 1);
  for (const [name, values] of params) {
    if (name.endsWith('.moving_mean')) values.forEach((_, i) => (values[i] = random.normal()));
    if (name.endsWith('.moving_variance')) values.forEach((_, i) => (values[i] = 0.5 + random.next()));
  }
  return params;
}

export function toFloat64(params: Map<string, Float32Array>): Map<string, Float64Array> {
  return new Map([...params].map(([k, v]) => [k, Float64Array.from(v)]));
}

function centralDifference(
  f: (p: Map<string, Float64Array>) => number,
  base: Map<string, Float64Array>,
  directions: Map<string, Float64Array>,
  step: number,
): number {
  const shifted = (sign: number) => {
    const copy = new Map(base);
    for (const [name, direction] of directions) copy.set(name, base.get(name)!.map((v, i) => v + sign * step * direction[i]!));
    return f(copy);
  };
  return (shifted(1) - shifted(-1)) / (2 * step);
}

/** A central difference that two step sizes agree on (to 1e-4 of `scale`), or the last one tried. */
function stableDifference(
  f: (p: Map<string, Float64Array>) => number,
  base: Map<string, Float64Array>,
  draw: () => Map<string, Float64Array>,
  scaleOf: (directions: Map<string, Float64Array>, reference: number) => number,
): { directions: Map<string, Float64Array>; reference: number } {
  let last: { directions: Map<string, Float64Array>; reference: number } | null = null;
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    const directions = draw();
    const coarse = centralDifference(f, base, directions, STEP);
    const fine = centralDifference(f, base, directions, STEP / 4);
    last = { directions, reference: fine };
    if (Math.abs(coarse - fine) <= 1e-4 * scaleOf(directions, fine)) break;
  }
  return last!;
}

/**
 * Checks each group of tensors (usually one tensor): one random direction over the group plus,
 * for single tensors, `entries` random single entries.
 */
export function checkGradients(
  f: (p: Map<string, Float64Array>) => number,
  params: Map<string, Float32Array>,
  gradients: Map<string, Float32Array>,
  groups: (string | string[])[],
  options: { entries: number; seed: number },
): TensorCheck[] {
  const random: Random = createRandom(options.seed);
  const base = toFloat64(params);
  return groups.map((group) => {
    const names = typeof group === 'string' ? [group] : group;
    let gNorm = 0;
    let gMax = 0;
    for (const name of names) {
      for (const v of gradients.get(name)!) {
        gNorm += v * v;
        gMax = Math.max(gMax, Math.abs(v));
      }
    }
    gNorm = Math.sqrt(gNorm);
    const dot = (directions: Map<string, Float64Array>) => {
      let sum = 0;
      for (const [name, direction] of directions) gradients.get(name)!.forEach((v, i) => (sum += v * direction[i]!));
      return sum;
    };
    // For d ~ N(0, I), <g, d> has standard deviation ||g||: the natural scale of the check.
    const scale = (_: Map<string, Float64Array>, reference: number) => Math.max(Math.abs(reference), gNorm, 1e-12);
    const drawDirection = () =>
      new Map(names.map((name) => [name, Float64Array.from({ length: gradients.get(name)!.length }, () => random.normal())]));
    const { directions, reference } = stableDifference(f, base, drawDirection, scale);
    const directional = Math.abs(dot(directions) - reference) / scale(directions, reference);
    let entryError = 0;
    if (names.length === 1) {
      const name = names[0]!;
      const g = gradients.get(name)!;
      for (let e = 0; e < Math.min(options.entries, g.length); e++) {
        let index = 0;
        const drawEntry = () => {
          index = random.int(g.length);
          const unit = new Float64Array(g.length);
          unit[index] = 1;
          return new Map([[name, unit]]);
        };
        const entry = stableDifference(f, base, drawEntry, () => Math.max(gMax, 1e-12));
        entryError = Math.max(entryError, Math.abs(g[index]! - entry.reference));
      }
    }
    return { name: names.length === 1 ? names[0]! : `${names.length} tensors of ${names[0]!.split('.').slice(0, -2).join('.')}`, directional, entries: entryError / Math.max(gMax, 1e-12) };
  });
}

/** Random reflectances with a few nodata pixels (value 0, weight 0). */
export function randomPack(k: number, bands: number, size: number, seed: number): { x: Float32Array; valid: Float32Array } {
  const random = createRandom(seed);
  const x = Float32Array.from({ length: k * bands * size * size }, () => 0.05 + 0.5 * random.next());
  const valid = new Float32Array(k * size * size).fill(1);
  for (let i = 0; i < k; i++) {
    for (let p = 0; p < size; p++) {
      valid[i * size * size + p * size + ((i + 3) % size)] = 0;
      for (let b = 0; b < bands; b++) x[(i * bands + b) * size * size + p * size + ((i + 3) % size)] = 0;
    }
  }
  return { x, valid };
}

/** Prints the worst relative error over the checked tensors and returns it. */
export function report(label: string, checks: { name: string; directional: number; entries: number }[]): number {
  const worst = Math.max(...checks.map((c) => Math.max(c.directional, c.entries)));
  const worstTensor = checks.reduce((a, b) => (Math.max(a.directional, a.entries) >= Math.max(b.directional, b.entries) ? a : b));
  console.log(`${label}: ${checks.length} tensors, max relative error ${worst.toExponential(2)} (${worstTensor.name})`);
  return worst;
}
