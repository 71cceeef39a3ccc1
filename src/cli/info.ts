import type { Command } from 'commander';
import { crsText } from '../raster/crs-text.js';
import { rasterStatistics } from '../raster/band-stats.js';
import { expandInputs, inspectImage, type InspectedImage } from '../raster/inputs.js';
import { byAcquisitionTime, commonWindow, stackBands } from '../raster/stack.js';
import { openRaster } from '../raster/open.js';
import { combineBandFiles } from '../raster/band-files.js';
import type { ProductMetadata } from '../raster/products/product-metadata.js';
import type { RasterSource } from '../raster/types.js';
import { isAutocmError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { printResult } from './output.js';

interface InfoOptions {
  json?: boolean;
  sensor?: string;
  bands?: string;
  quiet?: boolean;
}

interface BandReport {
  index: number;
  name: string | null;
  common: string | null;
  description: string;
  scale: number | null;
  offset: number | null;
  min: number | null;
  max: number | null;
  nodataCount: number;
  nonFiniteCount: number;
}

export interface ImageReport {
  id: string;
  source: string;
  files: string[];
  sensor: string | null;
  sensorDescription: string | null;
  sensorHow: 'option' | 'detected' | null;
  sensorProblem: string | null;
  width: number;
  height: number;
  crs: string | null;
  epsg: number | null;
  pixelSize: [number, number] | null;
  geoTransform: number[] | null;
  sampleType: string;
  bandCount: number;
  bandNames: string[];
  bands: BandReport[];
  date: string | null;
  dateSource: string;
  nodata: number | null;
  nodataFraction: number;
  nonFiniteCount: number;
  statisticsFrom: string;
  /** Pixels the band statistics were computed from; fewer than width x height when sampled. */
  statisticsPixels: number;
  /** Windows read when the image was too big to scan and was sampled (0: every pixel of the level was read). */
  statisticsWindows: number;
  scaling: string | null;
  droppedBands: string[];
  compression: string;
  overviews: number;
  /** What a product reader found (Sentinel-2 SAFE, Landsat C2, PlanetScope, STAC), or null for plain files. */
  product: ProductReport | null;
}

export interface ProductReport {
  product: string;
  /** Processing baseline, collection or product version. */
  version: string | null;
  sunZenith: number | null;
  sunAzimuth: number | null;
  /** Nodes of the sun angle grid (rows x columns), when the product has one. */
  sunGrid: [number, number] | null;
  cloudCover: number | null;
  defaultMask: { path: string; format: string } | null;
  metadataFiles: string[];
}

export interface StackReport {
  count: number;
  dates: (string | null)[];
  sensor: string | null;
  width: number | null;
  height: number | null;
  bandNames: string[];
  problem: string | null;
}

function numberOrString(value: number | null): number | string | null {
  return value !== null && !Number.isFinite(value) ? String(value) : value;
}

async function openInspected(inspected: InspectedImage): Promise<RasterSource> {
  if (inspected.image) return inspected.image.open();
  const files = inspected.ref.files;
  if (files.length === 1) return openRaster(files[0].path);
  const sources: RasterSource[] = [];
  for (const f of files) sources.push(await openRaster(f.path));
  return combineBandFiles(sources.map((source, i) => ({ band: files[i].band ?? `band${i + 1}`, source })));
}

async function describeImage(inspected: InspectedImage, quiet: boolean): Promise<ImageReport> {
  const image = inspected.image;
  const info = image?.info ?? inspected.info!;
  const nodata = image?.nodata ?? info.nodata;
  const source = await openInspected(inspected);
  let stats;
  try {
    const big = info.width * info.height > 4_000_000;
    const bar = big ? progressBar(`info ${inspected.ref.id}`, info.height, { quiet }) : null;
    stats = await rasterStatistics(source, { nodata, onProgress: bar ? (done) => bar.update(done) : undefined });
    bar?.stop();
  } finally {
    await source.close();
  }
  const t = info.geoTransform;
  const bands: BandReport[] = stats.bands.map((s, b) => ({
    index: b + 1,
    name: image?.bands[b]?.name ?? null,
    common: image?.bands[b]?.common ?? null,
    description: info.bandDescriptions[b] ?? '',
    scale: image?.bands[b]?.scale ?? null,
    offset: image?.bands[b]?.offset ?? null,
    min: s.min,
    max: s.max,
    nodataCount: s.nodataCount,
    nonFiniteCount: s.nonFiniteCount,
  }));
  return {
    id: inspected.ref.id,
    source: image?.source ?? info.source,
    files: image?.files ?? inspected.ref.files.map((f) => f.path),
    sensor: image?.sensor.id ?? null,
    sensorDescription: image?.sensor.description ?? null,
    sensorHow: image?.sensorHow ?? null,
    sensorProblem: inspected.problem,
    width: info.width,
    height: info.height,
    crs: crsText(info.epsg, info.geoKeys),
    epsg: info.epsg,
    pixelSize: t ? [Math.abs(t[1]), Math.abs(t[5])] : null,
    geoTransform: t,
    sampleType: info.sampleType,
    bandCount: info.bandCount,
    bandNames: image?.bandNames ?? info.bandDescriptions.map((d, b) => d || `band ${b + 1}`),
    bands,
    date: image?.date?.toISOString() ?? null,
    dateSource: image?.dateSource ?? 'none',
    nodata: numberOrString(nodata) as number | null,
    nodataFraction: stats.nodataFraction,
    nonFiniteCount: stats.bands.reduce((sum, s) => sum + s.nonFiniteCount, 0),
    statisticsFrom:
      (stats.level === 0 ? 'full resolution' : `overview ${stats.level} (${stats.width} x ${stats.height})`) +
      (stats.sampleWindows > 0 ? `, sampled: ${stats.sampleWindows} windows, ${stats.sampledPixels} pixels` : ''),
    statisticsPixels: stats.sampledPixels,
    statisticsWindows: stats.sampleWindows,
    scaling: image?.scalingNote ?? null,
    droppedBands: image?.droppedBands ?? [],
    compression: info.compression,
    overviews: info.overviews.length,
    product: productReport(image?.product ?? inspected.ref.product ?? null),
  };
}

function productReport(product: ProductMetadata | null): ProductReport | null {
  if (!product) return null;
  const grid = product.sunGrids?.zenith.values;
  return {
    product: product.product,
    version: product.version,
    sunZenith: product.sunZenith,
    sunAzimuth: product.sunAzimuth,
    sunGrid: grid && grid.length > 0 ? [grid.length, grid[0].length] : null,
    cloudCover: product.cloudCover,
    defaultMask: product.mask ? { path: product.mask.path, format: product.mask.format } : null,
    metadataFiles: product.files,
  };
}

function productLines(p: ProductReport): string[] {
  const versionName = /Sentinel-2/.test(p.product) ? 'baseline' : /Landsat/.test(p.product) ? 'collection' : 'version';
  const angle = (v: number | null) => (v === null ? '?' : `${Number(v.toFixed(3))} deg`);
  const lines = [`  product     ${p.product}${p.version ? `, ${versionName} ${p.version}` : ''}`];
  if (p.sunZenith !== null || p.sunAzimuth !== null) lines.push(`  sun         zenith ${angle(p.sunZenith)}, azimuth ${angle(p.sunAzimuth)}${p.sunGrid ? ` (and a ${p.sunGrid[0]} x ${p.sunGrid[1]} angle grid)` : ''}`);
  if (p.cloudCover !== null) lines.push(`  cloud cover ${p.cloudCover} % (from the product metadata)`);
  lines.push(`  mask        ${p.defaultMask ? `${p.defaultMask.path} (${p.defaultMask.format}): the default mask of evaluate` : 'none found in the product'}`);
  return lines;
}

/** The stack the images would form, or why they do not form one. */
function describeStack(inspected: InspectedImage[], bands: string[] | undefined): StackReport {
  const images = inspected.map((i) => i.image);
  const dated = byAcquisitionTime(inspected.map((i) => ({ date: i.image?.date ?? null, i })));
  const report: StackReport = {
    count: inspected.length,
    dates: dated.map((d) => d.date?.toISOString() ?? null),
    sensor: null,
    width: null,
    height: null,
    bandNames: [],
    problem: null,
  };
  try {
    const unknown = inspected.find((i) => !i.image);
    if (unknown) {
      report.problem = `${unknown.ref.files[0].path}: ${unknown.problem}`;
      return report;
    }
    const ordered = byAcquisitionTime(images as NonNullable<(typeof images)[number]>[]);
    report.bandNames = stackBands(ordered, bands);
    report.sensor = ordered[0].sensor.id;
    const window = commonWindow(ordered);
    report.width = window.width;
    report.height = window.height;
  } catch (error) {
    if (!isAutocmError(error)) throw error;
    report.problem = error.message;
  }
  return report;
}

function formatNumber(value: number | null): string {
  if (value === null) return '-';
  return Number.isInteger(value) ? String(value) : value.toPrecision(6);
}

function imageText(r: ImageReport): string {
  const lines = [
    `${r.source}`,
    `  sensor      ${r.sensor ?? `unknown (${r.sensorProblem})`}${r.sensorHow === 'detected' ? ' (detected)' : ''}`,
    `  size        ${r.width} x ${r.height} px, ${r.bandCount} bands ${r.sampleType}`,
    `  CRS         ${r.crs ?? 'none'}${r.pixelSize ? `, pixel ${r.pixelSize[0]} x ${r.pixelSize[1]}` : ''}`,
    `  date        ${r.date ?? 'unknown'} (${r.dateSource})`,
    `  nodata      ${r.nodata ?? 'none'}, ${(100 * r.nodataFraction).toFixed(2)} % of pixels${r.nonFiniteCount > 0 ? `; ${r.nonFiniteCount} NaN/Inf values` : ''}`,
  ];
  if (r.product) lines.push(...productLines(r.product));
  if (r.scaling) lines.push(`  scaling     ${r.scaling}`);
  if (r.droppedBands.length > 0) lines.push(`  left out    ${r.droppedBands.join(', ')} (other grid)`);
  lines.push(`  bands (${r.statisticsFrom}):`);
  for (const b of r.bands) {
    const name = b.name ? `${b.name} ${b.common}` : b.description || `band ${b.index}`;
    lines.push(`    ${String(b.index).padStart(2)} ${name.padEnd(16)} min ${formatNumber(b.min)}  max ${formatNumber(b.max)}${b.nonFiniteCount ? `  NaN/Inf ${b.nonFiniteCount}` : ''}`);
  }
  return lines.join('\n');
}

function stackText(s: StackReport): string {
  const head = s.problem ? `stack of ${s.count} images: not a stack: ${s.problem}` : `stack of ${s.count} images, ${s.sensor}, ${s.width} x ${s.height} px common window, bands ${s.bandNames.join(', ')}`;
  return `${head}\n  dates ${s.dates.map((d) => d?.slice(0, 10) ?? 'unknown').join(' ')}`;
}

export async function runInfo(inputs: string[], options: InfoOptions): Promise<{ images: ImageReport[]; stack: StackReport | null }> {
  const bands = options.bands ? options.bands.split(',').map((b) => b.trim()).filter(Boolean) : undefined;
  const resolve = { sensor: options.sensor, bands };
  const refs = await expandInputs(inputs, resolve);
  const inspected: InspectedImage[] = [];
  const bar = refs.length > 1 ? progressBar('info', refs.length, { quiet: options.quiet }) : null;
  const reports: ImageReport[] = [];
  for (const ref of refs) {
    const one = await inspectImage(ref, resolve, true);
    inspected.push(one);
    reports.push(await describeImage(one, options.quiet ?? false));
    bar?.update(reports.length);
  }
  bar?.stop();
  for (const r of reports) {
    for (const b of r.bands) {
      if (b.nonFiniteCount > 0) process.stderr.write(`autocm: warning: ${r.source}: band ${b.index} holds ${b.nonFiniteCount} NaN/Inf values (not declared nodata)\n`);
    }
  }
  const order = byAcquisitionTime(reports.map((r, i) => ({ date: r.date ? new Date(r.date) : null, i }))).map((e) => e.i);
  return { images: order.map((i) => reports[i]), stack: refs.length > 1 ? describeStack(inspected, bands) : null };
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('describe images or a time series: sensor, size, CRS, pixel size, bands, dates, nodata fraction, value range per band')
    .argument('<inputs...>', 'GeoTIFF or JPEG 2000 files, folders, globs, list files (.txt), products (Sentinel-2 SAFE, Landsat C2 folder or .tar, PlanetScope order) or STAC (ItemCollection JSON or API search URL, paged)')
    .option('--json', 'machine-readable output')
    .option('--sensor <name>', 'sensor profile id or JSON profile file (default: detected)')
    .option('--bands <list>', 'bands to take from per-band files and STAC assets, comma-separated (e.g. B02,B03,B04,B08 or blue,green,red,nir)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (inputs: string[], options: InfoOptions) => {
      const result = await runInfo(inputs, options);
      printResult(options.json ?? false, result, () => [...result.images.map(imageText), ...(result.stack ? [stackText(result.stack)] : [])].join('\n'));
    });
}
