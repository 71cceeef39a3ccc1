import * as ort from 'onnxruntime-node';
import type { TrainingGraph } from '../graph/training.js';
import { trainingSessionOptions } from './session-options.js';

export interface TrainSessionOptions {
  /** Intra-op threads; default: every available core. */
  threads?: number;
  /** Writes an ORT profile (JSON) with this prefix. */
  profilePrefix?: string;
  /** ONNX Runtime session options over the chosen ones; for benchmarks. */
  session?: Partial<ort.InferenceSession.SessionOptions>;
}

export interface StepOutputs {
  losses: Map<string, number>;
  /** Gradient per trainable parameter (Keras layout). */
  gradients: Map<string, Float32Array>;
  /** Moving statistics after this step's BN updates. */
  moving: Map<string, Float32Array>;
  /** Every other output by name (e.g. `similarity`, `mask`). */
  extra: Map<string, Float32Array>;
}

/**
 * One ONNX Runtime session over a training graph: parameters and data are fed as inputs on every
 * call, so the same session serves every step.
 */
export class TrainSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly graph: TrainingGraph,
  ) {}

  static async create(graph: TrainingGraph, options: TrainSessionOptions = {}): Promise<TrainSession> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      ...trainingSessionOptions(options.threads),
      ...(options.profilePrefix ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
      ...options.session,
    };
    const session = await ort.InferenceSession.create(graph.bytes, sessionOptions);
    return new TrainSession(session, graph);
  }

  /** Runs one step. `parameters` holds every parameter (moving statistics included); `data` every data input. */
  async run(parameters: Map<string, Float32Array>, data: Map<string, Float32Array>): Promise<StepOutputs> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const p of this.graph.parameters) {
      const values = parameters.get(p.name);
      if (!values) throw new Error(`missing parameter ${p.name}`);
      feeds[p.name] = new ort.Tensor('float32', values, p.shape);
    }
    for (const d of this.graph.dataInputs) {
      const values = data.get(d.name);
      if (!values) throw new Error(`missing input ${d.name}`);
      feeds[d.name] = new ort.Tensor('float32', values, d.shape);
    }
    const results = await this.session.run(feeds);
    const read = (name: string) => results[name]!.data as Float32Array;
    const losses = new Map(this.graph.lossOutputs.map((n) => [n, read(n)[0]!]));
    const gradients = new Map([...this.graph.gradientOutputs].map(([p, out]) => [p, read(out)]));
    const moving = new Map([...this.graph.movingOutputs].map(([p, out]) => [p, read(out)]));
    const known = new Set([...this.graph.lossOutputs, ...this.graph.gradientOutputs.values(), ...this.graph.movingOutputs.values()]);
    const extra = new Map(Object.keys(results).filter((n) => !known.has(n)).map((n) => [n, read(n)]));
    return { losses, gradients, moving, extra };
  }

  /** Ends profiling (when enabled); returns the profile file name when ORT reports it. */
  endProfiling(): string | undefined {
    const file = (this.session as unknown as { endProfiling(): string | void }).endProfiling();
    return typeof file === 'string' ? file : undefined;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
