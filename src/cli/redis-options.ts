import type { Command } from 'commander';
import { defaultRedisUrl, type RedisTarget } from '../queue/connection.js';

/** Adds --redis and --tls-ca to a command that talks to Redis. */
export function addRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'Redis URL: redis://[user:password@]host:port[/db], rediss:// for TLS (default: $AUTOCM_REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--tls-ca <file>', 'CA certificate (PEM) that signed the Redis server certificate (rediss:// only)');
}

export function redisTargetFrom(options: { redis?: string; tlsCa?: string }): RedisTarget {
  return { url: options.redis ?? defaultRedisUrl(), ...(options.tlsCa !== undefined ? { tlsCa: options.tlsCa } : {}) };
}
