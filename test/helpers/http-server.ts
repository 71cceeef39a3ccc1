/** A small static file server on 127.0.0.1 with HTTP Range support, for reading rasters over HTTP in tests. */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Bytes of file content sent so far (all responses). */
  bytesSent(): number;
  /** Number of requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * Serves `files` (URL path -> local file) with single-range support ("Range: bytes=a-b" -> 206).
 * Any other path is 404.
 */
export async function serveFiles(files: Record<string, string>): Promise<TestServer> {
  let sent = 0;
  let requestCount = 0;
  const server: Server = createServer((request, response) => {
    requestCount++;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = files[path];
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
      return;
    }
    const size = statSync(file).size;
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (range) {
      if (range[1] === '') {
        start = Math.max(0, size - Number(range[2]));
      } else {
        start = Number(range[1]);
        if (range[2] !== '') end = Math.min(Number(range[2]), size - 1);
      }
      if (start >= size || start > end) {
        response.writeHead(416, { 'Content-Range': `bytes */${size}` });
        response.end();
        return;
      }
      response.writeHead(206, {
        'Content-Type': 'image/tiff',
        'Content-Length': end - start + 1,
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Accept-Ranges': 'bytes',
      });
    } else {
      response.writeHead(200, { 'Content-Type': 'image/tiff', 'Content-Length': size, 'Accept-Ranges': 'bytes' });
    }
    sent += end - start + 1;
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file, { start, end }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesSent: () => sent,
    requests: () => requestCount,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
