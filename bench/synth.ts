// Synthetic stack generation (src/synth): seconds to generate 512 x 512 x 30 dates in memory for
// each sensor, and to write the planetscope4 stack as COGs (images, truth masks, clear-sky surface).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticStack, writeSyntheticStack } from '../src/synth/index.js';
import { SYNTHETIC_SENSORS } from '../src/synth/sensors.js';

const size = 512;
const dates = 30;
console.log(`synth: ${size} x ${size} px x ${dates} dates on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`);
for (const sensor of SYNTHETIC_SENSORS) {
  const started = performance.now();
  const stack = generateSyntheticStack({ size, dates, sensor, seed: 1 });
  const generateSeconds = (performance.now() - started) / 1000;
  const megapixels = (size * size * dates) / 1e6;
  console.log(`  ${sensor.padEnd(14)} ${stack.bandNames.length.toString().padStart(2)} bands: generate ${generateSeconds.toFixed(2)} s (${(megapixels / generateSeconds).toFixed(1)} Mpx-dates/s)`);
  if (sensor === 'planetscope4') {
    const dir = mkdtempSync(join(tmpdir(), 'autocm-bench-synth-'));
    try {
      const writeStarted = performance.now();
      await writeSyntheticStack(stack, dir);
      console.log(`  ${sensor.padEnd(14)} write ${dates * 3} COGs: ${((performance.now() - writeStarted) / 1000).toFixed(2)} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
