/**
 * The one object a service holds to take part in global transactions: the connection to the
 * TC, the TM, and the resource managers (AT data sources, TCC actions). It is a lifecycle
 * component; the last one started is the default behind the free `globalTransaction`.
 */
import type { Pool } from 'mysql2/promise';
import type { Component } from '../core/index.js';
import { AtDataSource, AtResourceManager, type AtDataSourceOptions } from './at/at-data-source.js';
import { TxBadRequestError } from './errors.js';
import { TcClient, type ResourceManager, type TcAddress } from './tc-client.js';
import { TransactionManager, type GlobalTransactionOptions } from './tm.js';

export interface TxClientOptions {
  applicationId: string;
  /** TC addresses, or a lookup such as `nacosTcResolver(discovery)`. */
  tc: TcAddress[] | (() => Promise<TcAddress[]>);
  requestTimeoutMs?: number;
  /** Undo rows older than this many days are deleted (Seata's `client.rm.undo.logSaveDays`); default 7. */
  undoLogSaveDays?: number;
  /** How often that runs (Seata's `client.rm.undo.logDeletePeriod`); default one day, the first run a minute after start. */
  undoLogDeletePeriodMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** Finds TCs registered in Nacos (as `tx-coordinator` by default). */
export function nacosTcResolver(
  discovery: { getInstances(service: string): Promise<{ ip: string; port: number }[]> },
  service = 'tx-coordinator',
): () => Promise<TcAddress[]> {
  return async () => (await discovery.getInstances(service)).map((i) => ({ host: i.ip, port: i.port }));
}

const defaults: { client?: TxClient } = {};

export class TxClient implements Component {
  readonly name = 'tx-client';
  readonly tc: TcClient;
  readonly tm: TransactionManager;
  private readonly at: AtResourceManager;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TxClientOptions) {
    const addresses = opts.tc;
    this.tc = new TcClient({
      applicationId: opts.applicationId,
      resolve: typeof addresses === 'function' ? addresses : () => addresses,
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.tm = new TransactionManager(this.tc, opts.applicationId, opts.log);
    this.at = new AtResourceManager(this.tc);
    this.tc.addResourceManager(this.at);
  }

  async start(): Promise<void> {
    await this.tc.start();
    defaults.client = this;
    const purge = () =>
      void this.at
        .purgeUndoLogs(this.opts.undoLogSaveDays ?? 7, Date.now(), (resourceId, err) =>
          this.opts.log?.('warn', 'undo_log purge failed; it runs again next period', { resourceId, err: String(err) }),
        )
        .then((n) => n > 0 && this.opts.log?.('info', `purged ${n} undo_log rows older than the save period`));
    // First run a minute in (data sources are registered after start), then every period.
    const period = this.opts.undoLogDeletePeriodMs ?? 86_400_000;
    this.purgeTimer = setTimeout(() => {
      purge();
      this.purgeTimer = setInterval(purge, period).unref();
    }, Math.min(60_000, period)).unref();
  }

  stop(): void {
    clearTimeout(this.purgeTimer);
    clearInterval(this.purgeTimer);
    if (defaults.client === this) delete defaults.client;
    this.tc.close();
  }

  globalTransaction<T>(fn: () => Promise<T>, opts: GlobalTransactionOptions): Promise<T> {
    return this.tm.globalTransaction(fn, opts);
  }

  /** Wraps one physical data source for AT mode; the resourceId defaults to mysql://host:port/db. */
  atDataSource(pool: Pool, opts: Partial<Omit<AtDataSourceOptions, 'pool' | 'tc'>> = {}): AtDataSource {
    // mysql2 keeps the settings on the core pool; read defensively, it is not public API.
    const cfg = (pool as unknown as { pool?: { config?: { connectionConfig?: { host?: string; port?: number; database?: string } } } }).pool
      ?.config?.connectionConfig;
    const resourceId = opts.resourceId ?? (cfg?.host ? `mysql://${cfg.host}:${cfg.port ?? 3306}/${cfg.database ?? ''}` : undefined);
    if (!resourceId) throw new TxBadRequestError('cannot tell which database this pool reaches; pass resourceId', null);
    const ds = new AtDataSource({
      ...opts,
      pool,
      tc: this.tc,
      resourceId,
      ...(this.opts.log ? { log: this.opts.log } : {}),
    });
    this.at.add(ds);
    return ds;
  }

  addResourceManager(rm: ResourceManager): void {
    this.tc.addResourceManager(rm);
  }
}

/** `globalTransaction(fn, { name, timeoutMs })` on the started TxClient. */
export function globalTransaction<T>(fn: () => Promise<T>, opts: GlobalTransactionOptions): Promise<T> {
  if (!defaults.client) throw new TxBadRequestError('no TxClient is started; create one and start() it first', opts.name);
  return defaults.client.globalTransaction(fn, opts);
}
