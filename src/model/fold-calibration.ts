import type { ModelFile } from './weights.js';

/** The mask head's last layer: 1x1 conv 16 -> 1, then sigmoid. */
const KERNEL = 'last.conv2.kernel';
const BIAS = 'last.conv2.bias';

/**
 * Folds p' = sigmoid(slope (z - logitThreshold)) into the mask head's last 1x1 conv, where z is
 * its output before the sigmoid: the kernel is multiplied by the slope and the bias becomes
 * slope (bias - logitThreshold). Every consumer of the weights (predict, the browser, an exported
 * ONNX graph) then gives the calibrated probability, with the threshold at 0.5. The ranking of
 * pixels, and so every mask at a matching threshold, is unchanged.
 */
export function foldCalibration(model: ModelFile, slope: number, logitThreshold: number): ModelFile {
  const tensors = new Map(model.tensors);
  tensors.set(KERNEL, model.tensors.get(KERNEL)!.map((w) => w * slope));
  tensors.set(BIAS, model.tensors.get(BIAS)!.map((b) => slope * (b - logitThreshold)));
  return { ...model, tensors };
}
