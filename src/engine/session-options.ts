import { availableParallelism } from 'node:os';
import type ort from 'onnxruntime-node';

/**
 * ONNX Runtime options of the inference session, each measured in and out side by side on a real
 * 1024^2 tile (docs/performance.md). The memory arena doubles the forward rate: without it every
 * run allocates and page-faults its activations afresh; with dynamic shapes it still holds one
 * activation set (edge tiles reuse its chunks). The memory pattern gains nothing measurable and
 * keeps a second, pattern-sized block per shape (~200 MiB at 1024^2), so it is off. Denormals as
 * zero: no measurable difference here; kept for CPUs where denormal arithmetic is slow (the dead
 * BN channels of the released weights hold ~1e-44 statistics).
 */
export function inferenceSessionOptions(provider: string, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    enableMemPattern: false,
    extra: { session: { set_denormal_as_zero: '1' } },
  };
}

/**
 * ONNX Runtime options of the training session (docs/performance.md). Threads default to every
 * core: ORT's own default ran one thread on a 2-vCPU machine (a U-Net pass ~30 % slower). The
 * arena stays on (without it a pass takes 6x as long); the memory pattern is off: same step time,
 * 4.3 instead of 7.4 GiB peak for a full step.
 */
export function trainingSessionOptions(threads = availableParallelism()): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableMemPattern: false,
  };
}
