// The long-series test's per-pixel harmonic fit (src/predict/stack/harmonic-test.ts) and the tmask
// baseline (the same robust fit, 3 bands) on a synthetic 105-date, 5-year series: CPU ms per pixel
// (process CPU time, less sensitive to a loaded machine than wall time), best of 3, and the
// projection to a 5000 x 5000 x 100-date scene on one core.
// AUTOCM_BENCH_HARMONIC_SIZE sets the side in pixels (default 256).
import { cpus } from 'node:os';
import { tmaskBandsOf, tmaskScores } from '../src/baselines/tmask.js';
import { harmonicResiduals } from '../src/predict/stack/harmonic-test.js';
import { createRandom } from '../src/util/random.js';

const size = Number(process.env.AUTOCM_BENCH_HARMONIC_SIZE ?? 256);
const dates = 105;
const random = createRandom(5);
const days = Array.from({ length: dates }, (_, t) => Math.round(t * 17.4 + random.next() * 8));
const pixels = size * size;
const band = () => Array.from({ length: dates }, () => new Float32Array(pixels));
const [red, nir, swir1] = [band(), band(), band()];
for (let i = 0; i < pixels; i++) {
  const base = 0.04 + 0.08 * random.next();
  for (let t = 0; t < dates; t++) {
    const season = Math.cos((2 * Math.PI * days[t]!) / 365.25);
    const state = random.next();
    // 20 % cloud (bright in every band), 5 % snow (bright red, dark SWIR1), 3 % nodata.
    const cloud = state < 0.2 ? 0.2 + 0.4 * random.next() : 0;
    const snow = state > 0.95 && state < 0.97;
    if (state >= 0.97) {
      red[t]![i] = nir[t]![i] = swir1[t]![i] = Number.NaN;
      continue;
    }
    red[t]![i] = snow ? 0.7 : base + 0.03 * season + cloud + 0.005 * random.normal();
    nir[t]![i] = snow ? 0.6 : 2 * base + 0.1 * season + cloud + 0.008 * random.normal();
    swir1[t]![i] = snow ? 0.05 : 1.5 * base + 0.05 * season + 0.7 * cloud + 0.006 * random.normal();
  }
}

function cpuMsPerPixel(run: () => void): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000 / pixels);
  }
  return best;
}

const projection = (ms: number) => `${((ms * 5000 * 5000 * (100 / dates)) / 60000).toFixed(0)} min for 5000 x 5000 x 100 dates on one core`;
console.log(`harmonic fit: ${size} x ${size} px x ${dates} dates (synthetic, 5 years) on ${cpus()[0]?.model ?? 'unknown CPU'}`);
const harmonic = cpuMsPerPixel(() => harmonicResiduals({ cloud: red, swir1, days }, { delta: 0.04, minClear: 15, minYears: 2 }));
console.log(`  long-series test (red, SWIR1):  ${harmonic.toFixed(4)} CPU ms/px, ${projection(harmonic)}`);
const { roles } = tmaskBandsOf(['red', 'nir', 'swir1']);
const tmask = cpuMsPerPixel(() => tmaskScores(days.map((_, t) => [red[t]!, nir[t]!, swir1[t]!]), days, roles, 'bench'));
console.log(`  tmask baseline (red, NIR, SWIR1): ${tmask.toFixed(4)} CPU ms/px, ${projection(tmask)}`);
