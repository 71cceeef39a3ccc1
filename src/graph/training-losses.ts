import { type Tape, type Value } from './autodiff.js';
import { add, div, mul, oneMinus, relu, square, sub } from './ops/elementwise.js';
import { reduceSum } from './ops/reduce.js';
import { reshape } from './ops/shape.js';

export const COMPOSITE_EPSILON = 1e-8;

/**
 * Mask-weighted composite and reconstruction loss of one pack (METHOD.md), with a per-pixel
 * validity weight v (0 where nodata) inside the composite weights and the loss:
 * C = sum_k (1-m_k) v_k X_k / (sum_k (1-m_k) v_k + 1e-8), R_k = (1-m_k) C + m_k g_k,
 * L_rec = sum v (X - R)^2 / (B * sum v), which is the plain mean when every pixel is valid.
 */
export function emitComposite(tape: Tape, x: Value, valid: Value, mask: Value, brightness: Value) {
  const clear = oneMinus(tape, mask);
  const weight = mul(tape, clear, valid);
  const numerator = reduceSum(tape, mul(tape, weight, x), [0]);
  const denominator = add(tape, reduceSum(tape, weight, [0]), tape.scalar(COMPOSITE_EPSILON));
  const composite = div(tape, numerator, denominator);
  const reconstruction = add(tape, mul(tape, clear, composite), mul(tape, mask, brightness));
  const squaredError = mul(tape, square(tape, sub(tape, x, reconstruction)), valid);
  const total = reshape(tape, reduceSum(tape, squaredError, [0, 1, 2, 3]), [1]);
  // 1 / (B * max(sum v, 1)): a constant of the data, not differentiated.
  const bands = x.shape[1]!;
  const validCount = tape.emit('ReduceSum', [valid, tape.int64([0, 1, 2, 3])], [1], { keepdims: 0 });
  const scale = tape.emit('Reciprocal', [tape.emit('Mul', [tape.emit('Max', [validCount, tape.scalar(1)], [1]), tape.scalar(bands)], [1])], [1]);
  const loss = mul(tape, total, scale);
  return { composite, loss };
}

/** The four similarity pairs over the composites [P1c1, P2c1, P1c2, P2c2, P3c1] (indices 0..4). */
export const SIMILARITY_PAIRS: number[][] = [
  // spatial 1: S(C(P2 c1), C(P1 c2)) -> r1
  [0, 1, -1, 0, 0],
  // spatial 2: S(C(P1 c1), C(P2 c2)) -> r2
  [1, 0, 0, -1, 0],
  // near: S(C(P3 c1), C(P2 c1))
  [0, -1, 0, 0, 1],
  // far: S(C(P3 c1), C(P1 c1))
  [-1, 0, 0, 0, 1],
];

/**
 * L_sp = mean((s_sp1 - r1)^2, (s_sp2 - r2)^2) with targets [r1, r2, *, *];
 * L_tp = relu(s_far - s_near + margin).
 */
export function emitSimilarityLosses(tape: Tape, similarity: Value, targets: Value, margin: number) {
  const spatialWeights = tape.constant([0.5, 0.5, 0, 0], [4]);
  const spatial = reduceSum(tape, mul(tape, square(tape, sub(tape, similarity, targets)), spatialWeights), [0]);
  const ordering = reduceSum(tape, mul(tape, similarity, tape.constant([0, 0, -1, 1], [4])), [0]);
  const temporal = relu(tape, add(tape, ordering, tape.scalar(margin)));
  return { spatial, temporal };
}
