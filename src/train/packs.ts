import { AutocmError } from '../util/errors.js';
import type { Random } from '../util/random.js';
import { augmentPlanes, drawAugmentation, type Augmentation } from './augment.js';
import { type CropPlan, cropTile, drawOffset, overlapRatio } from './crops.js';
import type { TrainingScene } from './scene.js';

/** The method's pack size. */
export const METHOD_K = 10;
/** The smallest K `train` accepts (`--k`): a pack needs a date besides the one it masks. */
export const MIN_K = 2;

/** One training sample: the five crops fed to the step graph, their validity and the overlap ratio. */
export interface TrainingSample {
  /** Graph inputs p1c1 ... p3c1 ([K,B,c,c]) and valid.<pass> ([K,1,c,c]), similarity_target [4]. */
  inputs: Map<string, Float32Array>;
  overlap: number;
  scene: string;
  /** First image index of P1 in its scene; the packs are [start, start+K), [start+K, ...), ... */
  start: number;
  x: number;
  y: number;
  offset: { dx: number; dy: number };
  augmentation: Augmentation;
  validFraction: number;
}

/**
 * Checks that every scene can give three packs of K images. Fewer images than 3K is an error that
 * says how many are needed and offers the largest K that fits; a K below the method's is a warning.
 */
export function checkPackSize(scenes: TrainingScene[], k: number, warn: (message: string) => void): void {
  for (const scene of scenes) {
    if (scene.imageCount < 3 * k) {
      const fits = Math.floor(scene.imageCount / 3);
      throw new AutocmError(
        `has ${scene.imageCount} images; three packs of K=${k} need ${3 * k}` +
          (fits >= MIN_K ? `. Use --k ${fits} (three packs of ${fits}) or add images` : `. Add images: the smallest K is ${MIN_K}, which needs ${3 * MIN_K}`),
        scene.name,
      );
    }
  }
  if (k < METHOD_K) warn(`K=${k} images per pack is below the method's ${METHOD_K}: composites rest on fewer dates`);
}

export interface SamplerOptions {
  /** Valid pack starts per scene (planPacks); default every start of three packs. */
  starts?: number[][];
  /** Tiles with a smaller valid fraction over the 3K images are redrawn. */
  minValid?: number;
  maxTries?: number;
}

/**
 * Draws training samples: a valid pack start (each equally likely over all scenes), three
 * consecutive windows of K images from it, a random tile position, one augmentation for all three
 * packs, and crop2's offset. Tiles whose valid fraction is below `minValid` are redrawn.
 */
export class PackSampler {
  private readonly starts: number[][];
  private readonly minValid: number;
  private readonly maxTries: number;

  constructor(
    private readonly scenes: TrainingScene[],
    private readonly k: number,
    private readonly plan: CropPlan,
    options: SamplerOptions = {},
  ) {
    for (const s of scenes) {
      if (s.width < plan.tile || s.height < plan.tile) {
        throw new AutocmError(`is ${s.width} x ${s.height} pixels, smaller than the ${plan.tile}-pixel training tile (crop ${plan.crop}); use a smaller --crop`, s.name);
      }
    }
    this.starts = options.starts ?? scenes.map((s) => Array.from({ length: Math.max(0, s.imageCount - 3 * k + 1) }, (_, i) => i));
    this.minValid = options.minValid ?? 0.5;
    this.maxTries = options.maxTries ?? 50;
  }

  /** Number of valid pack starts over all scenes: the size of one epoch. */
  get startsPerEpoch(): number {
    return this.starts.reduce((n, s) => n + s.length, 0);
  }

  async sample(random: Random): Promise<TrainingSample> {
    let best: TrainingSample | null = null;
    for (let attempt = 0; attempt < this.maxTries; attempt++) {
      const sample = await this.draw(random);
      if (sample.validFraction >= this.minValid) return sample;
      if (!best || sample.validFraction > best.validFraction) best = sample;
    }
    throw new AutocmError(
      `${this.maxTries} random training windows were all mostly nodata (best valid fraction ${(best?.validFraction ?? 0).toFixed(2)} < ${this.minValid})`,
      best?.scene,
    );
  }

  private async draw(random: Random): Promise<TrainingSample> {
    let pick = random.int(this.startsPerEpoch);
    let index = 0;
    while (pick >= this.starts[index]!.length) pick -= this.starts[index++]!.length;
    const scene = this.scenes[index]!;
    const start = this.starts[index]![pick]!;
    const { tile, crop } = this.plan;
    const x = random.int(scene.width - tile + 1);
    const y = random.int(scene.height - tile + 1);
    const augmentation = drawAugmentation(random);
    const offset = drawOffset(this.plan, random);
    const bands = scene.bands;
    const inputs = new Map<string, Float32Array>();
    let validSum = 0;
    const packs: { values: Float32Array; valid: Float32Array }[] = [];
    for (let p = 0; p < 3; p++) {
      const values = new Float32Array(this.k * bands * tile * tile);
      const valid = new Float32Array(this.k * tile * tile);
      for (let i = 0; i < this.k; i++) {
        const t = await scene.readTile(start + p * this.k + i, x, y, tile);
        values.set(t.values, i * bands * tile * tile);
        valid.set(t.valid, i * tile * tile);
      }
      for (const v of valid) validSum += v;
      packs.push({ values: augmentPlanes(values, this.k * bands, tile, augmentation), valid: augmentPlanes(valid, this.k, tile, augmentation) });
    }
    const crops: [string, number, { dx: number; dy: number }][] = [
      ['p1c1', 0, { dx: 0, dy: 0 }],
      ['p2c1', 1, { dx: 0, dy: 0 }],
      ['p1c2', 0, offset],
      ['p2c2', 1, offset],
      ['p3c1', 2, { dx: 0, dy: 0 }],
    ];
    for (const [name, pack, o] of crops) {
      inputs.set(name, cropTile(packs[pack]!.values, this.k * bands, tile, crop, o.dx, o.dy));
      inputs.set(`valid.${name}`, cropTile(packs[pack]!.valid, this.k, tile, crop, o.dx, o.dy));
    }
    // Both spatial pairs compare crop1 with crop2 windows, so r1 = r2 = r.
    const overlap = overlapRatio(crop, offset.dx, offset.dy);
    inputs.set('similarity_target', Float32Array.from([overlap, overlap, 0, 0]));
    return { inputs, overlap, scene: scene.name, start, x, y, offset, augmentation, validFraction: validSum / (3 * this.k * tile * tile) };
  }
}
