import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { harmonicResiduals, type HarmonicBands } from '../../../src/predict/stack/harmonic-test.js';
import { stackProbability } from '../../../src/predict/stack/stack-features.js';
import { fallbackStackRule, loadStackRule } from '../../../src/predict/stack/stack-rule.js';

const options = { delta: 0.04, minClear: 15, minYears: 2 };
const CLOUD_DATE = 10;
const SNOW_DATE = 20;

/** One pixel, 40 dates 27 days apart (about 3 years): a seasonal clear sky, a cloud date and a snow date. */
function series(dates = 40, step = 27): HarmonicBands {
  const days = Array.from({ length: dates }, (_, t) => t * step);
  const season = (d: number) => Math.cos((2 * Math.PI * d) / 365.25);
  const red = days.map((d) => 0.1 + 0.03 * season(d));
  const swir1 = days.map((d) => 0.2 + 0.05 * season(d));
  red[CLOUD_DATE]! += 0.25; // cloud: brighter in the visible and in SWIR1
  swir1[CLOUD_DATE]! += 0.15;
  if (SNOW_DATE < dates) {
    red[SNOW_DATE] = 0.7; // snow: bright in the visible, dark in SWIR1
    swir1[SNOW_DATE] = 0.05;
  }
  return { cloud: red.map((v) => Float32Array.of(v)), swir1: swir1.map((v) => Float32Array.of(v)), days };
}

test('the seasonal model: clear dates sit on it, cloud exceeds it in the cloud band and SWIR1, snow only in the cloud band', () => {
  const r = harmonicResiduals(series(), options);
  const cloud = (t: number) => r.cloud[t]![0]!;
  const swir1 = (t: number) => r.swir1[t]![0]!;
  // Cloud-band excess in units of delta minus 1: (0.25 / 0.04) - 1 = 5.25 on the cloud date.
  assert.ok(Math.abs(cloud(CLOUD_DATE) - 5.25) < 0.05, `cloud date ${cloud(CLOUD_DATE)}`);
  assert.ok(Math.abs(swir1(CLOUD_DATE) - 0.15 / 0.04) < 0.05, `cloud date SWIR1 ${swir1(CLOUD_DATE)}`);
  assert.ok(cloud(SNOW_DATE) > 10 && swir1(SNOW_DATE) < -2, `snow date ${cloud(SNOW_DATE)}, SWIR1 ${swir1(SNOW_DATE)}`);
  for (const t of [0, 5, 15, 30, 39]) assert.ok(Math.abs(cloud(t) + 1) < 0.01 && Math.abs(swir1(t)) < 0.01, `clear date ${t}: ${cloud(t)}, ${swir1(t)}`);
});

test('no 5-term model on a series within one year, or over 2 years with 13 clear dates: every residual is NaN', () => {
  for (const bands of [series(40, 9), series(14, 60)]) {
    const r = harmonicResiduals(bands, options);
    assert.ok(r.cloud.every((a) => Number.isNaN(a[0]!)) && r.swir1.every((a) => Number.isNaN(a[0]!)));
  }
});

test('--stack with the long-series test: the cloud date is cloud and the snow date is not, whatever the network says', () => {
  const bands = series();
  // The network calls the snow date cloud and misses the cloud date.
  const probability = bands.cloud.map((_, t) => Float32Array.of(t === SNOW_DATE ? 0.9 : 0.01));
  const strip = { brightness: bands.cloud, sensitive: bands.cloud, probability, harmonic: bands };
  const on = stackProbability(strip, { ...fallbackStackRule, harmonicDelta: 0.04 }, 0.5);
  assert.ok(on.probability[CLOUD_DATE]![0]! > 0.5 && on.probability[SNOW_DATE]![0]! < 0.5, `cloud ${on.probability[CLOUD_DATE]![0]}, snow ${on.probability[SNOW_DATE]![0]}`);
  assert.equal(on.seasonal, 40, 'every date of the pixel decided by the seasonal model');
  const off = stackProbability(strip, fallbackStackRule, 0.5);
  assert.ok(off.probability[CLOUD_DATE]![0]! < 0.5 && off.probability[SNOW_DATE]![0]! > 0.5, 'off (the fallback rule): the network decides');
  assert.equal(off.seasonal, 0);
});

test('a stack rule with a negative harmonicDelta is refused, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autocm-rule-'));
  try {
    const file = join(dir, 'rule.json');
    writeFileSync(file, JSON.stringify({ harmonicDelta: -0.04 }));
    assert.throws(() => loadStackRule(file, 'm.safetensors'), (e: Error & { file?: string }) => /harmonicDelta/.test(e.message) && (e.file === file || e.message.includes(file)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
