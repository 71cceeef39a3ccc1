import { type Tape, type Value } from '../autodiff.js';

export interface BatchNormResult {
  y: Value;
  /** Batch mean and biased batch variance per channel, shape [C] (not differentiated). */
  mean: Value;
  variance: Value;
}

/**
 * BatchNormalization in training mode over N, H, W, composed from reductions (stock ORT has no
 * training kernel), with the closed-form backward:
 * dgamma = sum(dy*xhat), dbeta = sum(dy), dx = gamma*inv*(dy - mean(dy) - xhat*mean(dy*xhat)).
 */
export function batchNormTraining(tape: Tape, x: Value, gamma: Value, beta: Value, epsilon: number): BatchNormResult {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const count = n * h * w;
  const stat = [1, c, 1, 1];
  const axes = [0, 2, 3];
  const mean = tape.emit('ReduceMean', [x], stat, { axes, keepdims: 1 });
  const centred = tape.emit('Sub', [x, mean], x.shape);
  const variance = tape.emit('ReduceMean', [tape.emit('Mul', [centred, centred], x.shape)], stat, { axes, keepdims: 1 });
  const inv = tape.emit('Reciprocal', [tape.emit('Sqrt', [tape.emit('Add', [variance, tape.scalar(epsilon)], stat)], stat)], stat);
  const xhat = tape.emit('Mul', [centred, inv], x.shape);
  const gammaR = tape.emit('Reshape', [gamma, tape.int64(stat)], stat);
  const betaR = tape.emit('Reshape', [beta, tape.int64(stat)], stat);
  const y = tape.emit('Add', [tape.emit('Mul', [xhat, gammaR], x.shape), betaR], x.shape);
  tape.record([x, gamma, beta], y, (g) => {
    const sumG = tape.emit('ReduceSum', [g, tape.int64(axes)], stat, { keepdims: 1 });
    const sumGX = tape.emit('ReduceSum', [tape.emit('Mul', [g, xhat], x.shape), tape.int64(axes)], stat, { keepdims: 1 });
    const toC = (v: Value) => tape.emit('Reshape', [v, tape.int64([c])], [c]);
    let dx: Value | null = null;
    if (tape.isTracked(x)) {
      const meanG = tape.emit('Mul', [sumG, tape.scalar(1 / count)], stat);
      const meanGX = tape.emit('Mul', [sumGX, tape.scalar(1 / count)], stat);
      const inner = tape.emit('Sub', [tape.emit('Sub', [g, meanG], x.shape), tape.emit('Mul', [xhat, meanGX], x.shape)], x.shape);
      dx = tape.emit('Mul', [inner, tape.emit('Mul', [gammaR, inv], stat)], x.shape);
    }
    return [dx, toC(sumGX), toC(sumG)];
  });
  const toC = (v: Value) => tape.emit('Reshape', [v, tape.int64([c])], [c]);
  return { y, mean: toC(mean), variance: toC(variance) };
}
