/**
 * One undici keep-alive Pool per upstream origin (and connect timeout), created on first use
 * and kept for the gateway's life: connections to a service instance are reused across
 * requests and routes. Pools of instances that left discovery idle out on their own
 * (keepAliveTimeout) and are dropped after `idleCloseMs` without use.
 */
import { Pool } from 'undici';
import { H1Pool } from './h1-upstream.js';

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

interface HeldH1 {
  pool: H1Pool;
  /** The Host header the upstream is sent, as undici writes it (no default port). */
  host: string;
  lastUsed: number;
}

export class UpstreamPools {
  readonly #pools = new Map<string, Held>();
  readonly #h1 = new Map<string, HeldH1>();
  #now = Date.now();
  readonly #sweeper: NodeJS.Timeout;
  readonly #clock: NodeJS.Timeout;

  constructor(private readonly opts: PoolOptions = {}) {
    const idle = opts.idleCloseMs ?? 300_000;
    this.#sweeper = setInterval(() => this.#sweep(idle), Math.min(idle, 60_000));
    // The idle sweep needs minutes, not milliseconds: a clock ticked each second spares the
    // hot path a Date.now() per request.
    this.#clock = setInterval(() => (this.#now = Date.now()), 1000);
    this.#clock.unref();
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

  /** The lean client's pool for a plain `http://` origin (requests without a body). */
  h1(origin: string, connectTimeoutMs = this.defaultConnectTimeoutMs): HeldH1 {
    const key = connectTimeoutMs === 45_000 ? origin : `${origin}|${connectTimeoutMs}`;
    let held = this.#h1.get(key);
    if (held === undefined) {
      const url = new URL(origin);
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const pool = new H1Pool(host, Number(url.port || 80), {
        connections: this.opts.connections ?? 128,
        keepAliveTimeoutMs: this.opts.keepAliveTimeoutMs ?? 30_000,
        connectTimeoutMs,
      });
      held = { pool, host: url.host, lastUsed: 0 };
      this.#h1.set(key, held);
    }
    held.lastUsed = this.#now;
    return held;
  }

  get size(): number {
    return this.#pools.size + this.#h1.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    clearInterval(this.#clock);
    for (const h of this.#h1.values()) h.pool.close();
    this.#h1.clear();
    const pools = [...this.#pools.values()].map((h) => h.pool);
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }

  #sweep(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [key, h] of this.#h1)
      if (h.lastUsed < cutoff) {
        this.#h1.delete(key);
        h.pool.close();
      }
    for (const [key, h] of this.#pools)
      if (h.lastUsed < cutoff) {
        this.#pools.delete(key);
        void h.pool.close().catch(() => undefined);
      }
  }
}
