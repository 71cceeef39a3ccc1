import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Server } from 'node:http';
import { startViewerServer } from '../../src/viewer/server.js';

let dir: string;
let server: Server;
let base: string;
const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

/** A raw GET that does not normalise `..` the way fetch/URL would. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-view-'));
  await writeFile(join(dir, 'image.tif'), payload);
  await writeFile(join(dir, 'secret.txt'), 'do not serve');
  await mkdir(join(dir, 'report'));
  await writeFile(join(dir, 'report', 'index.html'), '<h1>report</h1>');
  await symlink(join(dir, 'secret.txt'), join(dir, 'report', 'escape.txt'));
  const content = {
    catalog: { images: [], composites: [], reports: [{ name: 'report', url: '/reports/0/index.html' }] },
    files: [{ id: 0, path: join(dir, 'image.tif'), url: '/files/0/image.tif' }],
    reportRoots: [join(dir, 'report')],
    model: null,
  };
  ({ server, url: base } = await startViewerServer(content, 0, '127.0.0.1'));
});

after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

test('registered files are served whole and by byte range (what COG readers send)', async () => {
  const whole = await rawGet('/files/0/image.tif');
  assert.equal(whole.status, 200);
  assert.deepEqual(whole.body, payload);
  const part = await rawGet('/files/0/image.tif', { Range: 'bytes=100-199' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/1000');
  assert.deepEqual(part.body, payload.subarray(100, 200));
  const suffix = await rawGet('/files/0/image.tif', { Range: 'bytes=-10' });
  assert.deepEqual(suffix.body, payload.subarray(990));
  assert.equal((await rawGet('/files/0/image.tif', { Range: 'bytes=5000-6000' })).status, 416);
});

test('no path traversal and no listing: only registered files and report contents', async () => {
  for (const path of [
    '/files/1/x.tif',
    '/files/0/../../secret.txt',
    '/files/../secret.txt',
    '/files/0/..%2f..%2fsecret.txt',
    '/reports/0/../secret.txt',
    '/reports/0/..%2fsecret.txt',
    '/reports/0/%2e%2e/secret.txt',
    '/reports/0/escape.txt',
    '/reports/1/index.html',
    '/reports/0/',
    '/secret.txt',
    '/etc/passwd',
    `/${dir}/secret.txt`,
  ]) {
    const response = await rawGet(path);
    assert.equal(response.status, 404, `${path} must be refused, got ${response.status}`);
    assert.ok(!response.body.toString().includes('do not serve'), path);
  }
  const report = await rawGet('/reports/0/index.html');
  assert.equal(report.status, 200);
  assert.match(report.body.toString(), /<h1>report<\/h1>/);
});

test('the catalog and the page are served', async () => {
  const catalog = await rawGet('/api/catalog');
  assert.equal(catalog.status, 200);
  assert.deepEqual(JSON.parse(catalog.body.toString()).reports, [{ name: 'report', url: '/reports/0/index.html' }]);
  const page = await rawGet('/');
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<script type="module" src="\/app.js">/);
  assert.equal((await rawGet('/model.onnx')).status, 404);
  assert.equal((await rawGet('/ort/ort-wasm-simd-threaded.wasm')).status, 200);
  assert.equal((await rawGet('/ort/package.json')).status, 404);
});

test('only the bound host names are answered (no DNS rebinding): other Host headers get 403', async () => {
  const { port } = new URL(base);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
    assert.equal((await rawGet('/files/0/image.tif', { Host: host })).status, 200, host);
  }
  for (const host of [`evil.example:${port}`, 'attacker.test', `127.0.0.1.nip.io:${port}`]) {
    const refused = await rawGet('/files/0/image.tif', { Host: host });
    assert.equal(refused.status, 403, host);
    assert.match(refused.body.toString(), /host not allowed/);
    assert.equal((await rawGet('/api/catalog', { Host: host })).status, 403);
  }
});

test('a busy port is a clear error naming the address, not an unexpected error', async () => {
  const { port } = new URL(base);
  const content = { catalog: { images: [], composites: [], reports: [] }, files: [], reportRoots: [], model: null };
  await assert.rejects(startViewerServer(content, Number(port), '127.0.0.1'), (error: Error) => {
    assert.equal(error.name, 'AutocmError');
    assert.match(error.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    return true;
  });
});
