import { readFile } from 'node:fs/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { AutocmError } from '../util/errors.js';

/** How to reach Redis: a redis:// or rediss:// URL (user, password and db in the URL) and an optional CA file for TLS. */
export interface RedisTarget {
  url: string;
  tlsCa?: string;
}

export const defaultRedisUrlFallback = 'redis://127.0.0.1:6379';

export function defaultRedisUrl(): string {
  return process.env.AUTOCM_REDIS_URL || defaultRedisUrlFallback;
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable Redis URL>';
  }
}

/**
 * ioredis options for `target`: password, user and db come from the URL (ioredis parses it);
 * rediss:// turns TLS on, and `tlsCa` adds a CA bundle (a private CA of the Redis server).
 */
export async function redisClientOptions(target: RedisTarget): Promise<RedisOptions> {
  let parsed: URL;
  try {
    parsed = new URL(target.url);
  } catch {
    throw new AutocmError('not a valid Redis URL (expected redis://[user:password@]host:port[/db] or rediss://...)', redactRedisUrl(target.url));
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new AutocmError(`unsupported scheme ${parsed.protocol} (expected redis: or rediss:)`, redactRedisUrl(target.url));
  }
  const options: RedisOptions = {};
  if (target.tlsCa !== undefined) {
    if (parsed.protocol !== 'rediss:') throw new AutocmError('--tls-ca needs a rediss:// URL', redactRedisUrl(target.url));
    let ca: Buffer;
    try {
      ca = await readFile(target.tlsCa);
    } catch (error) {
      throw new AutocmError(`cannot read the TLS CA file: ${(error as Error).message}`, target.tlsCa);
    }
    options.tls = { ca };
  }
  return options;
}

/**
 * A connection for a long-running worker: retries forever (Redis restarts, failovers), with a
 * short backoff so that work resumes within seconds of Redis coming back.
 */
export async function connectForWorker(target: RedisTarget): Promise<Redis> {
  const options = await redisClientOptions(target);
  const redis = new Redis(target.url, {
    ...options,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  return redis;
}

/**
 * A connection for a one-shot command (submit, status): the first connection gives up after a
 * few attempts with an error naming the (redacted) URL instead of hanging. With `keepRetrying`
 * (status --wait) a connection lost later is retried without end, so that waiting survives a
 * Redis restart.
 */
export async function connectForCommand(target: RedisTarget, keepRetrying = false): Promise<Redis> {
  const options = await redisClientOptions(target);
  const redis = new Redis(target.url, {
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 5000,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
  });
  // The first error says why (refused, NOAUTH, TLS); connect() itself often only says "closed".
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    firstError ??= error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new AutocmError(`cannot connect to Redis: ${(firstError ?? (error as Error)).message}`, redactRedisUrl(target.url));
  }
  if (keepRetrying) redis.options.retryStrategy = (times) => Math.min(200 * times, 2000);
  return redis;
}
