/** The authors' released Auto-CM weights, imported once per test file into a temporary folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importKerasCheckpoint } from '../../src/model/keras-import.js';
import { sharedDir } from '../helpers/shared-data.js';

export async function importAuthorsModel(): Promise<{ model: string; directory: string; cleanup: () => void }> {
  const directory = mkdtempSync(join(tmpdir(), 'autocm-predict-test-'));
  const model = join(directory, 'autocm.safetensors');
  await importKerasCheckpoint(join(sharedDir, 'reference', 'u_model_autocm'), model);
  return { model, directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}
