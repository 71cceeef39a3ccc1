/** The authors' released Auto-CM weights, imported once per test file into a temporary folder. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importKerasCheckpoint } from '../../src/model/keras-import.js';
import { sharedDir } from '../helpers/shared-data.js';

/**
 * Without ../shared (a user's own clone) the model is not written and `available` is false: the
 * tests skip through sharedPath(). Under CI=true its absence is a failure.
 */
export async function importAuthorsModel(): Promise<{ model: string; directory: string; available: boolean; cleanup: () => void }> {
  const checkpoint = join(sharedDir, 'reference', 'u_model_autocm');
  const available = existsSync(`${checkpoint}.index`);
  if (!available && process.env.CI === 'true') throw new Error(`CI=true but ${checkpoint}.index is missing (../shared must sit beside the clone)`);
  const directory = mkdtempSync(join(tmpdir(), 'autocm-predict-test-'));
  const model = join(directory, 'autocm.safetensors');
  if (available) await importKerasCheckpoint(checkpoint, model);
  return { model, directory, available, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}
