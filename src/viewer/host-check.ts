import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/**
 * The Host header names the viewer may answer to: the loopback names and the bound host (and,
 * bound to every interface, this machine's name and addresses). Any other name is a page that
 * reached us through DNS rebinding and must not read the served files.
 */
export function allowedHostNames(boundHost: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', boundHost.toLowerCase().replace(/^\[|\]$/g, '')]);
  if (boundHost === '0.0.0.0' || boundHost === '::') {
    names.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

/** The host name of a request's Host header without its port or IPv6 brackets, lower case; null when absent. */
export function requestHostName(request: Pick<IncomingMessage, 'headers'>): string | null {
  const host = request.headers.host;
  if (!host) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

export function hostAllowed(request: Pick<IncomingMessage, 'headers'>, allowed: Set<string>): boolean {
  const name = requestHostName(request);
  return name !== null && allowed.has(name);
}
