import { type ModelFile, type ModelMetadata, unetParameterSpecs } from './weights.js';

export interface TensorGroup {
  /** Name prefix up to the first dot (`down0`, `sim.down0`, `adam.m.down0`...: up to the layer block). */
  group: string;
  tensors: number;
  values: number;
}

export type ModelSummary = ModelMetadata & {
  file: string;
  /** Values in the U-Net parameters the masks are computed with. */
  unetParameters: number;
  tensorCount: number;
  totalValues: number;
  /** Tensors that are not U-Net parameters (Siamese net, optimiser state of a checkpoint). */
  extraTensors: number;
  groups: TensorGroup[];
};

/** The block a tensor belongs to: the name without its last two parts (layer and attribute). */
function groupOf(name: string): string {
  const parts = name.split('.');
  return parts.length > 2 ? parts.slice(0, -2).join('.') : parts[0]!;
}

export function summariseModel(model: ModelFile, file: string): ModelSummary {
  const unetNames = new Set(unetParameterSpecs(model.metadata.inputBands).map((p) => p.name));
  let unetParameters = 0;
  let totalValues = 0;
  const groups = new Map<string, TensorGroup>();
  for (const [name, values] of model.tensors) {
    totalValues += values.length;
    if (unetNames.has(name)) unetParameters += values.length;
    const key = groupOf(name);
    const group = groups.get(key) ?? { group: key, tensors: 0, values: 0 };
    group.tensors++;
    group.values += values.length;
    groups.set(key, group);
  }
  return {
    file,
    ...model.metadata,
    unetParameters,
    tensorCount: model.tensors.size,
    totalValues,
    extraTensors: model.tensors.size - unetNames.size,
    groups: [...groups.values()],
  };
}

export function formatModelSummary(s: ModelSummary): string {
  const normalisation =
    s.normalisation.mode === 'stretch'
      ? `per-image percentile stretch ${s.normalisation.lowPercentile} % .. ${s.normalisation.highPercentile} %`
      : s.normalisation.mode === 'scale'
        ? `value * ${s.normalisation.scale} + ${s.normalisation.offset}`
        : "the sensor profile's reflectance scaling";
  const lines = [
    `${s.file}`,
    `  architecture   ${s.architecture} (format ${s.format} v${s.formatVersion}, written by autocm ${s.autocmVersion} on ${s.createdAt})`,
    `  sensor         ${s.sensor ?? '(any)'}`,
    `  bands          ${s.inputBands}: ${s.bands.join(', ')}`,
    `  normalisation  ${normalisation}`,
    `  parameters     ${s.unetParameters.toLocaleString('en-US')} in the U-Net; ${s.tensorCount} tensors, ${s.totalValues.toLocaleString('en-US')} values in the file${s.extraTensors ? ` (${s.extraTensors} extra tensors)` : ''}`,
  ];
  lines.push(`  threshold      ${s.threshold ?? 0.5}${s.calibration ? ` (calibrated: ${JSON.stringify(s.calibration)})` : ' (not calibrated)'}`);
  if (s.source) lines.push(`  source         ${s.source}`);
  for (const guess of s.radiometryGuesses ?? []) lines.push(`  radiometry     guessed in training: ${guess}`);
  if (s.training) lines.push(`  training       ${JSON.stringify(s.training)}`);
  lines.push('  tensors by block:');
  for (const g of s.groups) lines.push(`    ${g.group.padEnd(24)} ${String(g.tensors).padStart(4)} tensors ${g.values.toLocaleString('en-US').padStart(10)} values`);
  return lines.join('\n');
}
