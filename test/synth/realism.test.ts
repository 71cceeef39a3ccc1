import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateSyntheticStack, LAND_COVER, TRUTH, type SyntheticDate, type SyntheticStack } from '../../src/synth/index.js';

const SIZE = 256;
const stack = generateSyntheticStack({ size: SIZE, dates: 30, sensor: 'planetscope4', seed: 1 });
const [BLUE, GREEN, RED, NIR] = [0, 1, 2, 3];

/** Mean observed reflectance per band over the pixels that `keep` selects. */
function meanReflectance(d: SyntheticDate, keep: (i: number) => boolean): { count: number; mean: number[] } {
  const sums = new Array<number>(d.dn.length).fill(0);
  let count = 0;
  for (let i = 0; i < d.truth.length; i += 1) {
    if (!keep(i)) continue;
    count += 1;
    for (let b = 0; b < d.dn.length; b += 1) sums[b] += d.dn[b][i] / 10000;
  }
  return { count, mean: sums.map((s) => s / Math.max(count, 1)) };
}

/** Clear pixels of a class, away from haze and cirrus (truth clear and combined opacity < 0.02). */
function clearOfClass(d: SyntheticDate, klass: number): (i: number) => boolean {
  return (i) => d.truth[i] === TRUTH.clear && d.cloudOpacity[i] < 0.02 && d.landCover[i] === klass;
}

function surfaceMean(stackDates: SyntheticDate[], klass: number, band: number): number {
  let sum = 0;
  let count = 0;
  for (const d of stackDates) {
    for (let i = 0; i < d.landCover.length; i += 1) {
      if (d.landCover[i] !== klass) continue;
      sum += d.surface[band][i];
      count += 1;
    }
  }
  assert.ok(count > 0, `no pixel of class ${klass}`);
  return sum / count;
}

function datesBetween(s: SyntheticStack, from: string, to: string): SyntheticDate[] {
  return s.dates.filter((d) => d.date >= from && d.date <= to);
}

describe('synthetic planetscope4 stack: land surface reflectance in published ranges', () => {
  test('green vegetation: NIR >> red, visible 0.02-0.08, NIR 0.25-0.50 at the summer peak', () => {
    const summer = datesBetween(stack, '2023-06-01', '2023-07-31');
    assert.ok(summer.length >= 5);
    for (const d of summer) {
      const { count, mean } = meanReflectance(d, clearOfClass(d, LAND_COVER.vegetation));
      if (count < 500) continue;
      assert.ok(mean[NIR] > 4 * mean[RED], `${d.date}: NIR ${mean[NIR]} vs red ${mean[RED]}`);
      assert.ok(mean[BLUE] > 0.02 && mean[BLUE] < 0.06, `${d.date}: vegetation blue ${mean[BLUE]}`);
      assert.ok(mean[GREEN] > 0.04 && mean[GREEN] < 0.09, `${d.date}: vegetation green ${mean[GREEN]}`);
      assert.ok(mean[RED] > 0.02 && mean[RED] < 0.07, `${d.date}: vegetation red ${mean[RED]}`);
      assert.ok(mean[NIR] > 0.25 && mean[NIR] < 0.5, `${d.date}: vegetation NIR ${mean[NIR]}`);
      assert.ok(mean[GREEN] > mean[BLUE] && mean[GREEN] > mean[RED], `${d.date}: no green peak`);
    }
  });

  test('water: NIR below 0.05 and below green; bare soil rises with wavelength within 0.05-0.35; urban flat within 0.10-0.25', () => {
    let checked = 0;
    for (const d of stack.dates) {
      const water = meanReflectance(d, clearOfClass(d, LAND_COVER.water));
      const soil = meanReflectance(d, clearOfClass(d, LAND_COVER.soil));
      const urban = meanReflectance(d, clearOfClass(d, LAND_COVER.urban));
      if (water.count < 200 || soil.count < 200 || urban.count < 200) continue;
      checked += 1;
      assert.ok(water.mean[NIR] < 0.05 && water.mean[NIR] < water.mean[GREEN], `${d.date}: water ${water.mean}`);
      assert.ok(soil.mean.every((v, b) => b === 0 || v > soil.mean[b - 1]), `${d.date}: soil not rising ${soil.mean}`);
      assert.ok(soil.mean.every((v) => v > 0.05 && v < 0.35), `${d.date}: soil ${soil.mean}`);
      assert.ok(urban.mean.every((v) => v > 0.1 && v < 0.25), `${d.date}: urban ${urban.mean}`);
      assert.ok(Math.max(...urban.mean) / Math.min(...urban.mean) < 1.7, `${d.date}: urban not flat ${urban.mean}`);
    }
    assert.ok(checked >= 10, `only ${checked} dates had enough clear water, soil and urban`);
  });

  test('snow on the high ground in early March only: visible > 0.6 (clear-sky surface)', () => {
    const march = datesBetween(stack, '2023-03-01', '2023-03-08');
    assert.ok(march.some((d) => d.landCover.includes(LAND_COVER.snow)), 'no snow in early March');
    assert.ok(surfaceMean(march, LAND_COVER.snow, GREEN) > 0.6);
    assert.ok(surfaceMean(march, LAND_COVER.snow, RED) > 0.6);
    assert.ok(!datesBetween(stack, '2023-04-15', '2023-10-31').some((d) => d.landCover.includes(LAND_COVER.snow)), 'snow in summer');
  });

  test('phenology: vegetation NDVI of the clear-sky surface rises from March to June', () => {
    const ndvi = (dates: SyntheticDate[]) => {
      const nir = surfaceMean(dates, LAND_COVER.vegetation, NIR);
      const red = surfaceMean(dates, LAND_COVER.vegetation, RED);
      return (nir - red) / (nir + red);
    };
    const early = ndvi(datesBetween(stack, '2023-03-01', '2023-03-31'));
    const peak = ndvi(datesBetween(stack, '2023-06-01', '2023-06-30'));
    assert.ok(early > 0.3 && early < 0.6, `March NDVI ${early}`);
    assert.ok(peak > 0.7, `June NDVI ${peak}`);
  });

  test('abrupt changes: the flood widens the water, the harvest turns fields to soil', () => {
    const waterShare = (d: SyntheticDate) => d.landCover.filter((c) => c === LAND_COVER.water).length / d.landCover.length;
    const flood = stack.dates.filter((d) => d.events.includes('flood'));
    assert.equal(flood.length, 2);
    const before = stack.dates[stack.dates.indexOf(flood[0]) - 1];
    const after = stack.dates[stack.dates.indexOf(flood[1]) + 1];
    assert.ok(waterShare(flood[0]) > waterShare(before) + 0.04, `flood ${waterShare(flood[0])} vs before ${waterShare(before)}`);
    assert.ok(Math.abs(waterShare(after) - waterShare(before)) < 1e-9, 'the water does not recede after the flood');
    const harvest = stack.dates.find((d) => d.events.includes('harvest'));
    assert.ok(harvest);
    const previous = stack.dates[stack.dates.indexOf(harvest) - 1];
    let harvested = 0;
    for (let i = 0; i < harvest.landCover.length; i += 1) {
      if (previous.landCover[i] === LAND_COVER.vegetation && harvest.landCover[i] === LAND_COVER.soil) harvested += 1;
    }
    assert.ok(harvested > 0.01 * harvest.landCover.length, `only ${harvested} pixels harvested`);
  });
});

describe('synthetic planetscope4 stack: clouds, haze and shadows', () => {
  test('thick cloud is bright (visible 0.35-0.95) and flat across B-G-R, slightly lower in NIR', () => {
    let checked = 0;
    for (const d of stack.dates) {
      const cloud = meanReflectance(d, (i) => d.truth[i] === TRUTH.cloud && d.cloudOpacity[i] > 0.9);
      if (cloud.count < 200) continue;
      checked += 1;
      const [b, g, r, n] = cloud.mean;
      assert.ok(g > 0.35 && g < 0.95, `${d.date}: cloud green ${g}`);
      assert.ok(Math.max(b, g, r) / Math.min(b, g, r) < 1.1, `${d.date}: cloud not flat ${cloud.mean}`);
      assert.ok(n < r && n > 0.8 * r, `${d.date}: cloud NIR ${n} vs red ${r}`);
    }
    assert.ok(checked >= 10, `only ${checked} cloudy dates`);
  });

  test('cloud cover varies from clear dates to about 70 %, with thin haze or cirrus on some dates', () => {
    const fractions = stack.dates.map((d) => d.cloudFraction);
    assert.ok(fractions.filter((f) => f === 0).length >= 2, `clear dates: ${fractions}`);
    assert.ok(Math.max(...fractions) > 0.5 && Math.max(...fractions) < 0.8, `max cover ${Math.max(...fractions)}`);
    assert.ok(fractions.filter((f) => f > 0.05 && f < 0.4).length >= 5, 'few partly cloudy dates');
    assert.ok(stack.dates.some((d) => d.hazeMaxOpacity > 0) && stack.dates.some((d) => d.cirrusMaxOpacity > 0));
    // Faint haze/cirrus alters clear pixels: some truth-clear pixels carry opacity between 0.05 and the threshold.
    const faint = stack.dates.some((d) => d.cloudOpacity.some((a, i) => d.truth[i] === TRUTH.clear && a > 0.05 && a < stack.cloudOpacityThreshold));
    assert.ok(faint, 'no faint haze or cirrus left labelled clear');
  });

  test('clouds move and change between dates: IoU of consecutive cloud masks < 0.6, mean < 0.3', () => {
    const ious: number[] = [];
    for (let k = 1; k < stack.dates.length; k += 1) {
      const [a, b] = [stack.dates[k - 1].truth, stack.dates[k].truth];
      let intersection = 0;
      let union = 0;
      for (let i = 0; i < a.length; i += 1) {
        const inA = a[i] === TRUTH.cloud;
        const inB = b[i] === TRUTH.cloud;
        if (inA && inB) intersection += 1;
        if (inA || inB) union += 1;
      }
      if (union > 0.02 * a.length) ious.push(intersection / union);
    }
    assert.ok(ious.length >= 15);
    assert.ok(Math.max(...ious) < 0.6, `max IoU ${Math.max(...ious)}`);
    assert.ok(ious.reduce((s, v) => s + v, 0) / ious.length < 0.3);
  });

  test('shadow direction per date: the displacement recovered from the masks points away from the sun', () => {
    let checked = 0;
    for (const d of stack.dates) {
      if (d.cloudFraction < 0.01 || d.shadowFraction < 0.003) continue;
      checked += 1;
      const best = bestShadowDisplacement(d.truth, SIZE);
      const expected = (d.sun.azimuthDeg + 180) % 360;
      const difference = Math.abs(((best.azimuthDeg - expected + 540) % 360) - 180);
      assert.ok(difference <= 12, `${d.date}: shadows at azimuth ${best.azimuthDeg}, sun at ${d.sun.azimuthDeg}`);
      assert.ok(best.score > 0.85, `${d.date}: only ${best.score} of the shadow pixels lie behind a cloud`);
      const [dx, dy] = d.sun.shadowOffsetPx;
      assert.ok(Math.abs(best.length - Math.hypot(dx, dy)) <= 4, `${d.date}: length ${best.length} vs ${Math.hypot(dx, dy)}`);
    }
    assert.ok(checked >= 15, `only ${checked} dates with clouds and shadows`);
  });

  test('shadows darken the surface by a factor 0.3-0.75', () => {
    for (const d of stack.dates) {
      let ratio = 0;
      let count = 0;
      for (let i = 0; i < d.truth.length; i += 1) {
        if (d.truth[i] !== TRUTH.shadow || d.cloudOpacity[i] > 0.02) continue;
        ratio += d.dn[NIR][i] / 10000 / d.surface[NIR][i];
        count += 1;
      }
      if (count < 100) continue;
      const mean = ratio / count;
      assert.ok(mean > 0.3 && mean < 0.75, `${d.date}: shadow/surface ${mean}`);
    }
  });

  test('nodata (DN 0 in every band) exactly where the truth says 255, on some dates only', () => {
    const withNodata = stack.dates.filter((d) => d.nodataFraction > 0);
    assert.ok(withNodata.length >= 1 && withNodata.length < stack.dates.length / 2);
    for (const d of stack.dates) {
      for (let i = 0; i < d.truth.length; i += 1) {
        const nodata = d.truth[i] === TRUTH.nodata;
        for (const band of d.dn) assert.equal(band[i] === 0, nodata);
      }
    }
  });
});

describe('synthetic stacks: determinism and other sensors', () => {
  test('the same seed gives identical arrays, another seed different ones', () => {
    const options = { size: 64, dates: 5, sensor: 'planetscope4', seed: 7 } as const;
    const a = generateSyntheticStack(options);
    const b = generateSyntheticStack(options);
    const c = generateSyntheticStack({ ...options, seed: 8 });
    a.dates.forEach((d, k) => {
      assert.deepEqual(d.truth, b.dates[k].truth);
      d.dn.forEach((band, i) => assert.deepEqual(band, b.dates[k].dn[i]));
      d.surface.forEach((band, i) => assert.deepEqual(band, b.dates[k].surface[i]));
    });
    assert.notDeepEqual(a.dates[0].dn[0], c.dates[0].dn[0]);
  });

  test('sentinel2-l1c: 13 bands, vegetation SWIR below NIR, snow dark in SWIR, cirrus band blind to the ground but not to clouds', () => {
    const s2 = generateSyntheticStack({ size: 128, dates: 12, sensor: 'sentinel2-l1c', seed: 3, startDate: '2023-01-10', cadenceDays: 10 });
    assert.equal(s2.bandNames.length, 13);
    const band = (name: string) => s2.bandNames.indexOf(name);
    assert.ok(surfaceMean(s2.dates, LAND_COVER.vegetation, band('B11')) < surfaceMean(s2.dates, LAND_COVER.vegetation, band('B08')));
    assert.ok(surfaceMean(s2.dates, LAND_COVER.snow, band('B03')) > 0.6);
    assert.ok(surfaceMean(s2.dates, LAND_COVER.snow, band('B11')) < 0.15);
    // Level-1C: Rayleigh path radiance makes clear water brighter in B01 than at the surface.
    assert.ok(surfaceMean(s2.dates, LAND_COVER.water, band('B01')) > 0.1);
    for (const d of s2.dates) {
      const clear = meanReflectance(d, (i) => d.truth[i] === TRUTH.clear && d.cloudOpacity[i] < 0.02);
      const cloud = meanReflectance(d, (i) => d.truth[i] === TRUTH.cloud && d.cloudOpacity[i] > 0.9);
      if (clear.count > 100) assert.ok(clear.mean[band('B10')] < 0.02, `${d.date}: clear B10 ${clear.mean[band('B10')]}`);
      if (cloud.count > 100) assert.ok(cloud.mean[band('B10')] > 0.08, `${d.date}: cloud B10 ${cloud.mean[band('B10')]}`);
    }
  });

  test('landsat89-l2: 7 bands at 30 m, water dark in SWIR, soil brighter in SWIR1 than NIR', () => {
    const landsat = generateSyntheticStack({ size: 128, dates: 6, sensor: 'landsat89-l2', seed: 4 });
    assert.deepEqual(landsat.bandNames, ['SR_B1', 'SR_B2', 'SR_B3', 'SR_B4', 'SR_B5', 'SR_B6', 'SR_B7']);
    assert.equal(landsat.georeference.geoTransform?.[1], 30);
    assert.ok(surfaceMean(landsat.dates, LAND_COVER.water, 5) < 0.012);
    assert.ok(surfaceMean(landsat.dates, LAND_COVER.soil, 5) > surfaceMean(landsat.dates, LAND_COVER.soil, 4));
  });

  test('bad options are refused with a clear message', () => {
    const base = { size: 64, dates: 2, sensor: 'planetscope4', seed: 1 } as const;
    assert.throws(() => generateSyntheticStack({ ...base, size: 100 }), /multiple of 8/);
    assert.throws(() => generateSyntheticStack({ ...base, size: 56 }), /at least 64/);
    assert.throws(() => generateSyntheticStack({ ...base, dates: 0 }), /--dates/);
    assert.throws(() => generateSyntheticStack({ ...base, sensor: 'modis' as never }), /unknown sensor 'modis'/);
    assert.throws(() => generateSyntheticStack({ ...base, startDate: '2023-13-45' }), /YYYY-MM-DD/);
  });
});

/**
 * The shift (searched over azimuths in 5 degree steps and lengths in 1 px steps) that puts
 * the most shadow pixels right behind a cloud pixel: the shadow displacement as the masks
 * alone show it.
 */
function bestShadowDisplacement(truth: Uint8Array, size: number): { azimuthDeg: number; length: number; score: number } {
  const shadowPixels: [number, number][] = [];
  for (let y = 0; y < size; y += 2) {
    for (let x = 0; x < size; x += 2) if (truth[y * size + x] === TRUTH.shadow) shadowPixels.push([x, y]);
  }
  let best = { azimuthDeg: 0, length: 0, score: -1 };
  for (let azimuthDeg = 0; azimuthDeg < 360; azimuthDeg += 5) {
    const radians = (azimuthDeg * Math.PI) / 180;
    for (let length = 2; length <= 0.2 * size; length += 1) {
      const dx = Math.round(length * Math.sin(radians));
      const dy = Math.round(-length * Math.cos(radians));
      let hits = 0;
      let total = 0;
      for (const [x, y] of shadowPixels) {
        const sourceX = x - dx;
        const sourceY = y - dy;
        if (sourceX < 0 || sourceY < 0 || sourceX >= size || sourceY >= size) continue;
        total += 1;
        if (truth[sourceY * size + sourceX] === TRUTH.cloud) hits += 1;
      }
      const score = total >= 20 ? hits / total : 0;
      if (score > best.score) best = { azimuthDeg, length, score };
    }
  }
  return best;
}
