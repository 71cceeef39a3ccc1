import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** Repository root (tests run from dist/test/..., sources are two levels up). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** `../shared` beside the repository; never copied into it. AUTOCM_SHARED_DATA points elsewhere (tests of its absence). */
export const sharedDir = process.env.AUTOCM_SHARED_DATA ? resolve(process.env.AUTOCM_SHARED_DATA) : resolve(repoRoot, '..', 'shared');

/**
 * Path inside ../shared, or undefined after marking the test skipped when shared/ is absent
 * (a user's own clone). Under CI=true its absence is a failure.
 */
export function sharedPath(t: TestContext, ...parts: string[]): string | undefined {
  const full = join(sharedDir, ...parts);
  if (existsSync(full)) return full;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${full} is missing (../shared must sit beside the clone)`);
  t.skip(`${full} not present: test skipped`);
  return undefined;
}

/** The CLI entry point, compiled. */
export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
