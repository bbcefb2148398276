/**
 * One undici keep-alive Pool per upstream origin (and connect timeout), created on first use
 * and kept for the gateway's life: connections to a service instance are reused across
 * requests and routes. Pools of instances that left discovery idle out on their own
 * (keepAliveTimeout) and are dropped after `idleCloseMs` without use.
 */
import { Pool } from 'undici';

export interface PoolOptions {
  /** Connections per origin; default 128. */
  connections?: number;
  /** How long an idle upstream connection is kept; default 30 s. */
  keepAliveTimeoutMs?: number;
  /** Default connect timeout (Spring: spring.cloud.gateway.httpclient.connect-timeout); default 45 s as Netty. */
  connectTimeoutMs?: number;
  /** Close a pool unused this long; default 5 min. */
  idleCloseMs?: number;
}

interface Held {
  pool: Pool;
  lastUsed: number;
}

export class UpstreamPools {
  readonly #pools = new Map<string, Held>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly opts: PoolOptions = {}) {
    const idle = opts.idleCloseMs ?? 300_000;
    this.#sweeper = setInterval(() => this.#sweep(idle), Math.min(idle, 60_000));
    this.#sweeper.unref();
  }

  get defaultConnectTimeoutMs(): number {
    return this.opts.connectTimeoutMs ?? 45_000;
  }

  get(origin: string, connectTimeoutMs = this.defaultConnectTimeoutMs): Pool {
    const key = `${origin}|${connectTimeoutMs}`;
    let held = this.#pools.get(key);
    if (held === undefined) {
      const pool = new Pool(origin, {
        connections: this.opts.connections ?? 128,
        pipelining: 1,
        keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? 30_000,
        connect: { timeout: connectTimeoutMs },
      });
      held = { pool, lastUsed: 0 };
      this.#pools.set(key, held);
    }
    held.lastUsed = Date.now();
    return held.pool;
  }

  get size(): number {
    return this.#pools.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const pools = [...this.#pools.values()].map((h) => h.pool);
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }

  #sweep(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [key, h] of this.#pools)
      if (h.lastUsed < cutoff) {
        this.#pools.delete(key);
        void h.pool.close().catch(() => undefined);
      }
  }
}
