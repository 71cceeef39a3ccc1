import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.onnx': 'application/octet-stream',
};

export function contentTypeFor(path: string): string {
  return contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Parses a single `bytes=a-b` range (the only form COG readers send); null when absent or unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return 'invalid';
  const [, startText, endText] = match;
  let start: number;
  let end: number;
  if (startText === '') {
    const suffix = Number(endText);
    if (!Number.isFinite(suffix) || suffix <= 0) return 'invalid';
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(startText);
    end = endText === '' ? size - 1 : Math.min(Number(endText), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

/** Sends a file, honouring HTTP range requests so that COG readers fetch only the tiles they need. */
export async function sendFile(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  const info = await stat(path);
  const range = parseRange(request.headers.range, info.size);
  const headers: Record<string, string | number> = {
    'Content-Type': contentTypeFor(path),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache',
  };
  if (range === 'invalid') {
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${info.size}` });
    response.end();
    return;
  }
  if (range) {
    response.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${range.start}-${range.end}/${info.size}`,
      'Content-Length': range.end - range.start + 1,
    });
  } else {
    response.writeHead(200, { ...headers, 'Content-Length': info.size });
  }
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    response.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(response);
  });
}
