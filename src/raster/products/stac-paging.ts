/**
 * STAC API paging: an ItemCollection's `links` with rel "next" (GET, or POST with the body and
 * headers the link gives, as STAC API - Item Search specifies) are followed until a page has
 * none. A next link that returns to a page already read stops the paging with a note, as does
 * the page limit; the items read so far are kept.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface StacPage {
  value: unknown;
  location: string;
}

export interface StacPaging {
  pages: StacPage[];
  /** Why paging stopped early (a loop, the page limit), or null when the last page had no next link. */
  note: string | null;
}

interface NextLink {
  href: string;
  method: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rel="next" link of a page, resolved against its location, or null. */
export function nextLink(page: unknown, location: string): NextLink | null {
  if (!isRecord(page) || !Array.isArray(page.links)) return null;
  const link = page.links.find((l) => isRecord(l) && l.rel === 'next' && typeof l.href === 'string') as Record<string, unknown> | undefined;
  if (!link) return null;
  let href: string;
  try {
    href = new URL(link.href as string, location).href;
  } catch {
    return null;
  }
  const method = typeof link.method === 'string' && link.method.toUpperCase() === 'POST' ? 'POST' : 'GET';
  const headers = isRecord(link.headers) ? Object.fromEntries(Object.entries(link.headers).map(([k, v]) => [k, String(v)])) : undefined;
  return { href, method, body: link.body, headers };
}

/**
 * Reads the first page with `readFirst`, then follows next links with `fetchPage` (method, URL,
 * body). `maxPages` bounds the walk.
 */
export async function readStacPages(
  location: string,
  readFirst: (location: string) => Promise<unknown>,
  fetchPage: (link: NextLink) => Promise<unknown>,
  maxPages = 10000,
): Promise<StacPaging> {
  const first = await readFirst(location);
  const pages: StacPage[] = [{ value: first, location }];
  const seen = new Map<string, number>([[`GET ${location} `, 1]]);
  let link = nextLink(first, /^(https?|file):/i.test(location) ? location : pathToFileURL(resolve(location)).href);
  while (link) {
    const key = `${link.method} ${link.href} ${link.body === undefined ? '' : JSON.stringify(link.body)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return { pages, note: `STAC paging stopped: the next link of page ${pages.length} (${link.href}) leads back to page ${earlier}; ${pages.length} pages read` };
    }
    if (pages.length >= maxPages) return { pages, note: `STAC paging stopped after ${maxPages} pages (the limit); more pages follow ${link.href}` };
    // A saved (static) collection pages through local files; a remote page may not lead to one.
    const localPage = /^file:/i.test(link.href) && link.method === 'GET' && !/^https?:\/\//i.test(location);
    if (!localPage && !/^https?:\/\//i.test(link.href)) return { pages, note: `STAC paging stopped: next link ${link.href} is neither an HTTP(S) URL nor a local file read from a local page` };
    const pageLocation = localPage ? fileURLToPath(link.href) : link.href;
    const value = localPage ? await readFirst(pageLocation) : await fetchPage(link);
    pages.push({ value, location: pageLocation });
    seen.set(key, pages.length);
    link = nextLink(value, link.href);
  }
  return { pages, note: null };
}
