import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { expandInputs } from '../../../src/raster/inputs.js';
import { readStacPages } from '../../../src/raster/products/stac-paging.js';
import { readStacJson } from '../../../src/raster/stac.js';

/** Items of a Sentinel-2 L2A search: one COG per band, the SCL asset, view and eo properties. */
function item(n: number) {
  const band = (name: string, common: string) => ({ href: `https://example.test/S2_${n}/${name}.tif`, type: 'image/tiff; application=geotiff; profile=cloud-optimized', roles: ['data'], 'eo:bands': [{ name, common_name: common }] });
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id: `S2B_33UUU_2023061${n}_0_L2A`,
    geometry: null,
    links: [],
    properties: {
      datetime: `2023-06-1${n}T10:20:00Z`,
      platform: 'sentinel-2b',
      'view:sun_azimuth': 150 + n,
      'view:sun_elevation': 60 - n,
      'eo:cloud_cover': 10 * n,
      's2:processing_baseline': '05.09',
      'a:property:nobody:knows': { nested: true },
    },
    assets: {
      blue: band('B02', 'blue'),
      green: band('B03', 'green'),
      red: band('B04', 'red'),
      nir: band('B08', 'nir'),
      scl: { href: `https://example.test/S2_${n}/SCL.tif`, type: 'image/tiff; application=geotiff', roles: ['data'] },
      thumbnail: { href: `https://example.test/S2_${n}/thumb.jpg`, type: 'image/jpeg', roles: ['thumbnail'] },
    },
  };
}

let server: Server;
let base = '';
const posted: unknown[] = [];

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => resolve(text));
  });
}

before(async () => {
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', base);
    const page = Number(url.searchParams.get('page') ?? '1');
    const send = (value: unknown) => {
      response.writeHead(200, { 'content-type': 'application/geo+json' });
      response.end(JSON.stringify(value));
    };
    if (url.pathname === '/search') {
      // Three pages of two items; page 3 has no next link.
      const links = page < 3 ? [{ rel: 'next', href: `search?page=${page + 1}`, type: 'application/geo+json' }] : [];
      return send({ type: 'FeatureCollection', features: [item(2 * page - 1), item(2 * page)], links: [{ rel: 'self', href: `${base}/search?page=${page}` }, ...links] });
    }
    if (url.pathname === '/loop/items') {
      // Page 3 points back at page 2.
      const next = page === 3 ? 2 : page + 1;
      return send({ type: 'FeatureCollection', features: [item(page)], links: [{ rel: 'next', href: `${base}/loop/items?page=${next}` }] });
    }
    if (url.pathname === '/post/search') {
      // STAC API POST paging: the next link carries the body with the token.
      const token = request.method === 'POST' ? (JSON.parse(await body(request)) as { token: string }).token : 'start';
      posted.push(token);
      const links = token === 'start' ? [{ rel: 'next', href: `${base}/post/search`, method: 'POST', body: { collections: ['sentinel-2-l2a'], token: 'next:2' }, merge: false }] : [];
      return send({ type: 'FeatureCollection', features: [item(token === 'start' ? 1 : 2)], links });
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('STAC API paging on loopback', () => {
  test('a paged search response yields every item of every page, in order, with sun angles, cloud cover, baseline and the SCL mask asset', async () => {
    const refs = await expandInputs([`${base}/search`]);
    assert.deepEqual(
      refs.map((r) => r.id),
      [1, 2, 3, 4, 5, 6].map((n) => `S2B_33UUU_2023061${n}_0_L2A`),
    );
    const third = refs[2].product!;
    assert.equal(third.sunAzimuth, 153);
    assert.equal(third.sunZenith, 90 - 57);
    assert.equal(third.cloudCover, 30);
    assert.equal(third.version, '05.09');
    assert.deepEqual(third.mask, { path: 'https://example.test/S2_3/SCL.tif', format: 'scl' });
    assert.deepEqual(refs[0].files.map((f) => f.band), ['B02', 'B03', 'B04', 'B08']);
  });

  test('a next link that loops stops the paging with a warning; the items read are kept', async () => {
    const paging = await readStacPages(`${base}/loop/items?page=1`, readStacJson, async (link) => readStacJson(link.href));
    assert.equal(paging.pages.length, 3);
    assert.match(paging.note ?? '', /leads back to page 2; 3 pages read/);
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const refs = await expandInputs([`${base}/loop/items?page=1`]);
      assert.equal(refs.length, 3);
    } finally {
      process.stderr.write = write;
    }
    assert.match(written.join(''), /warning: .*loop\/items\?page=1: STAC paging stopped: the next link of page 3 .* leads back to page 2/);
  });

  test('POST paging (STAC API search) sends the body of the next link', async () => {
    const refs = await expandInputs([`${base}/post/search`]);
    assert.equal(refs.length, 2);
    assert.deepEqual(posted, ['start', 'next:2']);
  });
});

test('a saved ItemCollection pages through local files by its next links; a loop back still stops', async () => {
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'autocm-stac-local-'));
  try {
    const page = (n: number, next: string | null) => ({ type: 'FeatureCollection', features: [item(n)], links: next ? [{ rel: 'next', href: next }] : [] });
    await writeFile(join(dir, 'page1.json'), JSON.stringify(page(1, 'page2.json')));
    await writeFile(join(dir, 'page2.json'), JSON.stringify(page(2, './page3.json')));
    await writeFile(join(dir, 'page3.json'), JSON.stringify(page(3, 'page2.json')));
    const paging = await readStacPages(join(dir, 'page1.json'), readStacJson, () => Promise.reject(new Error('a local page is not fetched')));
    assert.deepEqual(paging.pages.map((p) => p.location), [join(dir, 'page1.json'), join(dir, 'page2.json'), join(dir, 'page3.json')]);
    assert.match(paging.note ?? '', /leads back to page 2; 3 pages read/);
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const refs = await expandInputs([join(dir, 'page1.json')]);
      assert.equal(refs.length, 3);
    } finally {
      process.stderr.write = write;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a remote page whose next link is a local file stops the paging with a warning', async () => {
  const paging = await readStacPages('https://example.test/items', async () => ({ type: 'FeatureCollection', features: [item(1)], links: [{ rel: 'next', href: 'file:///etc/passwd' }] }), () => Promise.reject(new Error('not fetched')));
  assert.equal(paging.pages.length, 1);
  assert.match(paging.note ?? '', /next link file:\/\/\/etc\/passwd is neither an HTTP\(S\) URL nor a local file read from a local page/);
});
