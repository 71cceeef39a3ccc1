/** GDAL command-line tools as test oracles (Debian gdal-bin): run them, parse what they report. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { TypedArray } from '../../src/raster/types.js';

/** Runs a GDAL tool and returns stdout; a failure throws with GDAL's own stderr in the message. */
export function gdal(tool: string, args: string[]): string {
  try {
    // PAM off: GDAL must never drop .aux.xml side files next to the read-only shared data.
    const env = { ...process.env, GDAL_PAM_ENABLED: 'NO' };
    return execFileSync(tool, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${stderr}${stdout}` || (error as Error).message);
  }
}

/** True when the GDAL tools are on PATH; otherwise the test is skipped (failed under CI=true). */
export function requireGdal(t: TestContext): boolean {
  try {
    execFileSync('gdalinfo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true but gdalinfo is not installed (apt-get install gdal-bin)');
    t.skip('gdal-bin not installed: test skipped');
    return false;
  }
}

/**
 * Runs GDAL's own COG validator (validate_cloud_optimized_geotiff.py from python3-gdal, with
 * --full-check=yes) and returns its report, or null when python3-gdal is not installed.
 */
export function validateCogWithGdal(t: TestContext, path: string): string | null {
  const script = '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py';
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import osgeo.gdal'], { stdio: 'ignore' });
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true but python3-gdal is missing (apt-get install python3-gdal)');
    t.diagnostic('python3-gdal not installed: GDAL COG validator not run');
    return null;
  }
  return gdal('/usr/bin/python3', [script, '--full-check=yes', path]);
}

/**
 * What GDAL prints on stderr while decoding every block of every band and overview
 * (`gdalinfo -checksum`): '' for a clean file, the warnings or errors otherwise.
 */
export function gdalWarnings(path: string): string {
  const result = spawnSync('gdalinfo', ['-checksum', path], { encoding: 'utf8', env: { ...process.env, GDAL_PAM_ENABLED: 'NO' } });
  if (result.status !== 0) return `gdalinfo exited with ${result.status}: ${result.stderr}`;
  return result.stderr;
}

export function gdalVersion(): string {
  return gdal('gdalinfo', ['--version']).trim();
}

export interface GdalBand {
  band: number;
  block: [number, number];
  type: string;
  description?: string;
  noDataValue?: number | string;
  overviews?: { size: [number, number] }[];
  metadata?: Record<string, Record<string, string>>;
}

export interface GdalInfo {
  size: [number, number];
  geoTransform?: number[];
  coordinateSystem?: { wkt: string };
  stac?: { 'proj:epsg'?: number | null };
  metadata: Record<string, Record<string, string>>;
  bands: GdalBand[];
}

export function gdalinfoJson(path: string, extraArgs: string[] = []): GdalInfo {
  return JSON.parse(gdal('gdalinfo', ['-json', ...extraArgs, path])) as GdalInfo;
}

/** The EPSG code that closes GDAL's WKT (the CRS's own ID), or null. */
export function epsgFromWkt(wkt: string | undefined): number | null {
  if (!wkt) return null;
  const match = /ID\["EPSG",(\d+)\]\]\s*$/.exec(wkt);
  return match ? Number(match[1]) : null;
}

const enviTypes: Record<number, { bytes: number; read: (buffer: Buffer, count: number) => TypedArray }> = {
  1: { bytes: 1, read: (b, n) => new Uint8Array(b.buffer, b.byteOffset, n).slice() },
  2: { bytes: 2, read: (b, n) => copyAs(b, n, 2, (v, i) => v.getInt16(i, true), Int16Array) },
  3: { bytes: 4, read: (b, n) => copyAs(b, n, 4, (v, i) => v.getInt32(i, true), Int32Array) },
  4: { bytes: 4, read: (b, n) => copyAs(b, n, 4, (v, i) => v.getFloat32(i, true), Float32Array) },
  5: { bytes: 8, read: (b, n) => copyAs(b, n, 8, (v, i) => v.getFloat64(i, true), Float64Array) },
  12: { bytes: 2, read: (b, n) => copyAs(b, n, 2, (v, i) => v.getUint16(i, true), Uint16Array) },
  13: { bytes: 4, read: (b, n) => copyAs(b, n, 4, (v, i) => v.getUint32(i, true), Uint32Array) },
};

function copyAs<T extends TypedArray>(
  buffer: Buffer,
  count: number,
  size: number,
  get: (view: DataView, offset: number) => number,
  Type: new (n: number) => T,
): T {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const out = new Type(count);
  for (let i = 0; i < count; i++) out[i] = get(view, i * size);
  return out;
}

/**
 * Every pixel as GDAL decodes it: `gdal_translate -of ENVI -co INTERLEAVE=BSQ` to a temporary file,
 * then split into one typed array per band. `extraArgs` can pick a window (-srcwin) or overview (-ovr).
 */
export function readWithGdal(path: string, extraArgs: string[] = []): { width: number; height: number; bands: TypedArray[] } {
  const dir = mkdtempSync(join(tmpdir(), 'autocm-gdal-'));
  try {
    const out = join(dir, 'raw.bin');
    gdal('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', ...extraArgs, path, out]);
    const header = readFileSync(join(dir, 'raw.hdr'), 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'mi').exec(header)?.[1]);
    const width = field('samples');
    const height = field('lines');
    const bandCount = field('bands');
    const type = enviTypes[field('data type')];
    if (!type) throw new Error(`unexpected ENVI data type in ${header}`);
    if (/byte order\s*=\s*1/.test(header)) throw new Error('big-endian ENVI output not expected');
    const data = readFileSync(out);
    const pixels = width * height;
    const bands = Array.from({ length: bandCount }, (_, b) => type.read(data.subarray(b * pixels * type.bytes, (b + 1) * pixels * type.bytes), pixels));
    return { width, height, bands };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
