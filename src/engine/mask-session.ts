import { availableParallelism } from 'node:os';
import ort from 'onnxruntime-node';
import { buildInferenceGraph } from '../graph/inference.js';
import { type BatchNormStyle, type TransposedConvStyle } from '../graph/layers.js';
import { unetSpec } from '../model/description.js';
import { type ModelFile } from '../model/weights.js';
import { AutocmError } from '../util/errors.js';
import { inferenceSessionOptions } from './session-options.js';

export interface MaskSessionOptions {
  /** Intra-op threads; default: every available core. */
  threads?: number;
  /** ONNX Runtime execution provider; default `cpu`. */
  provider?: string;
  /**
   * `dynamic` (default): one graph with symbolic N, H, W. `per-size`: one graph with fixed shapes
   * per input size, built on first use and cached. Measured (1024^2, 2 threads): the same speed
   * within noise (1.53 vs 1.50 Mpx per CPU-second), but each per-size session keeps its own
   * memory: 1003 MiB RSS after tiles of 4 sizes against 578 MiB for the dynamic graph.
   */
  shapes?: 'per-size' | 'dynamic';
  /** How BN is written into the graph (both exact); for benchmarks. */
  batchNorm?: BatchNormStyle;
  /** How the transposed convs are written (both exact; default sub-pixel conv); for benchmarks. */
  transposedConv?: TransposedConvStyle;
  /** ONNX Runtime session options over the chosen ones (`inferenceSessionOptions`); for benchmarks. */
  session?: Partial<ort.InferenceSession.SessionOptions>;
  /** Rewrites the ONNX graph before the session opens it (bench/int8.ts's quantised graph); for benchmarks. */
  transformGraph?: (onnx: Uint8Array) => Uint8Array;
}

export interface MaskOutput {
  /** Cloud probability, n x h x w. */
  mask: Float32Array;
  /** Cloud brightness per band, n x bands. */
  brightness: Float32Array;
}

export interface MaskSession {
  readonly bands: number;
  /** `input` is NCHW (n x bands x h x w), already normalised; h and w multiples of 8. */
  run(input: Float32Array, n: number, height: number, width: number): Promise<MaskOutput>;
  release(): Promise<void>;
}

/** Sessions kept per input size: tiles come in a handful of sizes (full tiles, edges, the last corner). */
const MAX_CACHED_SIZES = 6;

/** Checks the execution provider is known; returns the list of those the installed onnxruntime-node offers. */
function checkProvider(provider: string): string {
  const backends = ort.listSupportedBackends();
  const offered = backends.map((b) => `${b.name}${b.bundled ? '' : ' (not installed)'}`).join(', ');
  if (!backends.some((b) => b.name === provider)) {
    throw new AutocmError(`execution provider "${provider}" is not supported by the installed onnxruntime-node; it offers: ${offered}`);
  }
  return offered;
}

/** Creates a U-Net inference session for the model's weights. */
export async function createMaskSession(model: ModelFile, options: MaskSessionOptions = {}): Promise<MaskSession> {
  const provider = options.provider ?? 'cpu';
  const offered = checkProvider(provider);
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new AutocmError(`threads must be a positive integer, got ${threads}`);
  const spec = unetSpec(model.metadata.inputBands);
  const sessionOptions = { ...inferenceSessionOptions(provider, threads), ...options.session };
  const transform = options.transformGraph ?? ((onnx: Uint8Array) => onnx);
  const build = (dims: { batch?: number; height?: number; width?: number }) =>
    transform(buildInferenceGraph(spec, model.tensors, { ...dims, batchNorm: options.batchNorm, transposedConv: options.transposedConv }));

  // ORT's environment logs at 'warning' by default, and prints a provider that fails to load as a
  // raw coloured line before our error: only fatal messages for a non-CPU provider (set before the
  // first session creates the environment).
  if (provider !== 'cpu') ort.env.logLevel = 'fatal';
  const open = async (graph: Uint8Array): Promise<ort.InferenceSession> => {
    try {
      return await ort.InferenceSession.create(graph, sessionOptions);
    } catch (error) {
      throw new AutocmError(`cannot start ONNX Runtime with execution provider "${provider}" (installed onnxruntime-node offers: ${offered}): ${(error as Error).message.split('\n')[0]}`);
    }
  };

  const dynamic = (options.shapes ?? 'dynamic') === 'dynamic';
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const sessionFor = async (n: number, height: number, width: number): Promise<ort.InferenceSession> => {
    const key = dynamic ? 'dynamic' : `${n}x${height}x${width}`;
    let session = sessions.get(key);
    if (session) {
      // Most recently used last, so eviction drops the least recently used size.
      sessions.delete(key);
      sessions.set(key, session);
      return session;
    }
    session = open(dynamic ? build({}) : build({ batch: n, height, width }));
    sessions.set(key, session);
    if (sessions.size > MAX_CACHED_SIZES) {
      const [oldestKey, oldest] = sessions.entries().next().value as [string, Promise<ort.InferenceSession>];
      sessions.delete(oldestKey);
      void oldest.then((s) => s.release()).catch(() => undefined);
    }
    return session;
  };
  // Open the first session now so that a bad provider fails here, not at the first tile.
  if (dynamic) await sessionFor(1, 8, 8);
  else await open(build({ batch: 1, height: 8, width: 8 })).then((s) => s.release());

  const bands = spec.bands;
  return {
    bands,
    async run(input, n, height, width) {
      for (const [label, size] of [['height', height], ['width', width]] as const) {
        if (!Number.isInteger(size) || size < 8 || size % 8 !== 0) throw new AutocmError(`input ${label} ${size} is not a positive multiple of 8`);
      }
      if (!Number.isInteger(n) || n < 1) throw new AutocmError(`batch size ${n} is not a positive integer`);
      const expected = n * bands * height * width;
      if (input.length !== expected) {
        throw new AutocmError(`input has ${input.length} values; ${n} x ${bands} bands x ${height} x ${width} needs ${expected}`);
      }
      const session = await sessionFor(n, height, width);
      const outputs = await session.run({ image: new ort.Tensor('float32', input, [n, bands, height, width]) });
      const mask = outputs.mask!.data as Float32Array;
      const brightness = outputs.brightness!.data as Float32Array;
      return { mask, brightness };
    },
    async release() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map(async (s) => (await s).release()));
    },
  };
}
