/**
 * The networks of Auto-CM (METHOD.md), described once, layer by layer, with the Keras variable
 * names of the authors' code. Graph emitters (inference and training) and the checkpoint
 * importer all read this description; nothing else hard-codes a layer.
 *
 * Every layer is `y = BN(act(conv(x) + bias))` unless `batchNorm` is null. Parameters are stored
 * in Keras layout: conv kernels [kh, kw, in, out] (HWIO), transposed-conv kernels [kh, kw, out, in].
 */

export interface ConvSpec {
  /** Our name, e.g. `down1.conv2`; parameter names are `${name}.kernel` and `${name}.bias`. */
  name: string;
  type: 'conv' | 'tconv';
  kernelSize: 1 | 3;
  stride: 1 | 2;
  inChannels: number;
  outChannels: number;
  activation: 'relu' | 'sigmoid';
  /** Our BN name (e.g. `down1.bn2`, parameters `.gamma .beta .moving_mean .moving_variance`), or null. */
  batchNorm: string | null;
  /** Keras layer names in the authors' model (checkpoint object graph), when the layer exists there. */
  kerasLayer: string | null;
  kerasBatchNorm: string | null;
}

export interface BlockSpec {
  name: string;
  layers: ConvSpec[];
}

/** The masking U-Net: down0..2, up0..1, then the mask head `last` and the brightness head `last2`. */
export interface UNetSpec {
  bands: number;
  down: BlockSpec[];
  up: BlockSpec[];
  maskHead: BlockSpec;
  brightnessHead: BlockSpec;
}

/** The Siamese similarity net (training only): encoder D, embedding, and the similarity head. */
export interface SiameseSpec {
  bands: number;
  encoder: BlockSpec[];
  /** 1x1 conv to 16 + ReLU after the spatial mean; no BN. */
  embedding: ConvSpec;
  /** conv1x1 16 relu -> BN, then conv1x1 1 sigmoid. */
  head: BlockSpec;
}

export const BN_EPSILON = 1e-3;
export const BN_MOMENTUM = 0.99;

class KerasNames {
  private conv = 0;
  private tconv = 0;
  private bn = 0;
  next(type: 'conv' | 'tconv'): { layer: string; bn: string } {
    const layer = type === 'conv' ? indexed('conv2d', this.conv++) : indexed('conv2d_transpose', this.tconv++);
    return { layer, bn: indexed('batch_normalization', this.bn) };
  }
  consumeBn(): void {
    this.bn++;
  }
}

function indexed(base: string, i: number): string {
  return i === 0 ? base : `${base}_${i}`;
}

interface LayerArgs {
  type?: 'conv' | 'tconv';
  kernelSize?: 1 | 3;
  stride?: 1 | 2;
  activation?: 'relu' | 'sigmoid';
  batchNorm?: boolean;
}

function makeBlock(
  name: string,
  inChannels: number,
  layers: (LayerArgs & { out: number })[],
  keras: KerasNames | null,
): BlockSpec {
  let convIndex = 0;
  let bnIndex = 0;
  let channels = inChannels;
  const specs = layers.map((args) => {
    const type = args.type ?? 'conv';
    const withBn = args.batchNorm ?? true;
    const names = keras?.next(type);
    const spec: ConvSpec = {
      name: `${name}.${type}${convIndex++}`,
      type,
      kernelSize: args.kernelSize ?? 3,
      stride: args.stride ?? 1,
      inChannels: channels,
      outChannels: args.out,
      activation: args.activation ?? 'relu',
      batchNorm: withBn ? `${name}.bn${bnIndex++}` : null,
      kerasLayer: names?.layer ?? null,
      kerasBatchNorm: withBn && names ? names.bn : null,
    };
    if (withBn) keras?.consumeBn();
    channels = args.out;
    return spec;
  });
  return { name, layers: specs };
}

function downLayers(filters: number) {
  return [{ out: filters }, { out: filters }, { out: filters, stride: 2 as const }];
}

function upLayers(filters: number) {
  return [{ out: filters, type: 'tconv' as const, stride: 2 as const }, { out: filters }, { out: filters }];
}

/**
 * The masking U-Net for `bands` input bands (4 in the authors' model). Keras names follow the
 * creation order of the original code: conv2d..conv2d_17, conv2d_transpose.._2,
 * batch_normalization.._18.
 */
export function unetSpec(bands = 4): UNetSpec {
  const keras = new KerasNames();
  const down = [
    makeBlock('down0', bands, downLayers(16), keras),
    makeBlock('down1', 16, downLayers(32), keras),
    makeBlock('down2', 32, downLayers(64), keras),
  ];
  const up = [makeBlock('up0', 64, upLayers(32), keras), makeBlock('up1', 64, upLayers(16), keras)];
  const maskHead = makeBlock(
    'last',
    32,
    [{ out: 16, type: 'tconv', stride: 2 }, { out: 16 }, { out: 1, kernelSize: 1, activation: 'sigmoid', batchNorm: false }],
    keras,
  );
  const brightnessHead = makeBlock(
    'last2',
    32,
    [{ out: 16, kernelSize: 1 }, { out: 16, kernelSize: 1 }, { out: bands, kernelSize: 1, activation: 'sigmoid', batchNorm: false }],
    keras,
  );
  return { bands, down, up, maskHead, brightnessHead };
}

/** The Siamese similarity net for `bands`-band composites. It has no counterpart in the released checkpoint. */
export function siameseSpec(bands = 4): SiameseSpec {
  const encoder = [
    makeBlock('sim.down0', bands, downLayers(64), null),
    makeBlock('sim.down1', 64, downLayers(32), null),
    makeBlock('sim.down2', 32, downLayers(16), null),
  ];
  const embedding = makeBlock('sim.embed', 16, [{ out: 16, kernelSize: 1, batchNorm: false }], null).layers[0]!;
  const head = makeBlock(
    'sim.head',
    16,
    [{ out: 16, kernelSize: 1 }, { out: 1, kernelSize: 1, activation: 'sigmoid', batchNorm: false }],
    null,
  );
  return { bands, encoder, embedding, head };
}

export function unetLayers(spec: UNetSpec): ConvSpec[] {
  return [...spec.down, ...spec.up, spec.maskHead, spec.brightnessHead].flatMap((b) => b.layers);
}

export function siameseLayers(spec: SiameseSpec): ConvSpec[] {
  return [...spec.encoder.flatMap((b) => b.layers), spec.embedding, ...spec.head.layers];
}

export interface ParameterSpec {
  name: string;
  shape: number[];
  role: 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';
  /** Moving statistics are state, not trained by the optimiser. */
  trainable: boolean;
}

/** Every parameter of the given layers, in a stable order, with Keras-layout shapes. */
export function parameterSpecs(layers: ConvSpec[]): ParameterSpec[] {
  const params: ParameterSpec[] = [];
  for (const layer of layers) {
    const k = layer.kernelSize;
    const kernelShape =
      layer.type === 'conv' ? [k, k, layer.inChannels, layer.outChannels] : [k, k, layer.outChannels, layer.inChannels];
    params.push({ name: `${layer.name}.kernel`, shape: kernelShape, role: 'kernel', trainable: true });
    params.push({ name: `${layer.name}.bias`, shape: [layer.outChannels], role: 'bias', trainable: true });
    if (layer.batchNorm) {
      for (const role of ['gamma', 'beta', 'moving_mean', 'moving_variance'] as const) {
        params.push({
          name: `${layer.batchNorm}.${role}`,
          shape: [layer.outChannels],
          role,
          trainable: role === 'gamma' || role === 'beta',
        });
      }
    }
  }
  return params;
}
