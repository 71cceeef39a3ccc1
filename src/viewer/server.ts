import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog, ServedFile } from './catalog.js';
import { sendFile } from './static-files.js';
import { allowedHostNames, hostAllowed } from './host-check.js';
import { AutocmError } from '../util/errors.js';

/** The model offered for in-browser masking: its ONNX graph and the metadata the page needs to normalise inputs. */
export interface BrowserModel {
  onnx: Uint8Array;
  metadata: Record<string, unknown>;
}

export interface ViewerContent {
  catalog: Catalog;
  files: ServedFile[];
  reportRoots: string[];
  model: BrowserModel | null;
}

const pageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'viewer');
const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const ORT_FILE = /^ort-wasm[\w.-]*\.(wasm|mjs)$/;

/** True when `child` is `root` itself or lies inside it (both already resolved through symlinks). */
function isInside(root: string, child: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Type': 'text/plain' });
  response.end('not found\n');
}

function json(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  response.end(JSON.stringify(value));
}

/**
 * Serves the viewer page, the catalog and ONLY the registered files, each by index. Client
 * paths are never joined onto the file system except under a report folder, where the
 * resolved real path must stay inside that folder.
 */
export async function handleRequest(content: ViewerContent, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' });
    response.end();
    return;
  }
  const url = new URL(request.url ?? '/', 'http://viewer.local');
  const path = url.pathname;
  if (path === '/' || path === '/index.html') return sendFile(request, response, join(pageDir, 'index.html'));
  if (path === '/app.js' || path === '/app.css') return sendFile(request, response, join(pageDir, path.slice(1)));
  if (path === '/api/catalog') return json(response, { ...content.catalog, model: content.model?.metadata ?? null });
  if (path === '/model.onnx') {
    if (!content.model) return notFound(response);
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': content.model.onnx.byteLength });
    response.end(request.method === 'HEAD' ? undefined : content.model.onnx);
    return;
  }
  const ort = /^\/ort\/([^/]+)$/.exec(path);
  if (ort && ORT_FILE.test(ort[1]!)) return sendFile(request, response, join(ortDir, ort[1]!));
  const file = /^\/files\/(\d+)\/([^/]+)$/.exec(path);
  if (file) {
    const served = content.files[Number(file[1])];
    // The name must be the registered file's own: the index alone selects the file.
    return served && served.url === path ? sendFile(request, response, served.path) : notFound(response);
  }
  const report = /^\/reports\/(\d+)\/(.+)$/.exec(path);
  if (report) {
    const root = content.reportRoots[Number(report[1])];
    if (!root) return notFound(response);
    const realRoot = await realpath(root);
    const target = await realpath(resolve(realRoot, decodeURIComponent(report[2]!))).catch(() => null);
    if (!target || !isInside(realRoot, target) || target === realRoot) return notFound(response);
    return sendFile(request, response, target).catch(() => notFound(response));
  }
  notFound(response);
}

export async function startViewerServer(content: ViewerContent, port: number, host: string): Promise<{ server: Server; url: string }> {
  // Fail early with a clear message when the page was not built.
  await readFile(join(pageDir, 'index.html')).catch(() => {
    throw new Error(`viewer page missing in ${pageDir}: run npm run build`);
  });
  const allowed = allowedHostNames(host);
  const server = createServer((request, response) => {
    if (!hostAllowed(request, allowed)) {
      response.writeHead(403, { 'Content-Type': 'text/plain' });
      response.end(`host not allowed: the viewer answers only to ${[...allowed].slice(0, 4).join(', ')}\n`);
      return;
    }
    handleRequest(content, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const why =
        error.code === 'EADDRINUSE' ? 'the port is in use (another viewer? try --port 0 for any free port)'
        : error.code === 'EADDRNOTAVAIL' ? 'no such address on this machine (--host)'
        : error.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
        : error.code === 'ENOTFOUND' ? 'unknown host name (--host)'
        : error.message;
      reject(new AutocmError(`cannot listen on ${where}: ${why}${error.code && !why.includes(error.code) ? ` (${error.code})` : ''}`));
    });
    server.listen(port, host, () => resolvePromise());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/` };
}
