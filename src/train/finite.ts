/** Non-finite values in training tensors: never applied to the weights, never saved. */

/** The first tensor holding a NaN or an infinity, with the index and value found; null when all are finite. */
export function firstNonFinite(tensors: Map<string, Float32Array>): { name: string; index: number; value: number } | null {
  for (const [name, values] of tensors) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      // v - v is NaN for NaN and both infinities, 0 otherwise: one test per value.
      if (v - v !== 0) return { name, index: i, value: v };
    }
  }
  return null;
}
