import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The model that ships with the package: models/ at the package root (beside dist/). */
export const defaultModelPath = fileURLToPath(new URL('../../../models/autocm-default.safetensors', import.meta.url));

export function hasDefaultModel(): boolean {
  return existsSync(defaultModelPath);
}
