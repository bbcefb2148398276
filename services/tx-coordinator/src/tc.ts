/**
 * The transaction coordinator as one lifecycle component: MySQL pool and tables, the client
 * port, the admin port and the recovery loop (timeouts, phase-two retries, lease renewal and
 * takeover). `main.ts` adds the Nacos registration around it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import mysql, { type Pool } from 'mysql2/promise';
import type { FastifyInstance } from 'fastify';
import type { Component } from '@silk/platform-sdk/core';
import { buildAdmin } from './admin.js';
import { Coordinator } from './coordinator.js';
import { IdGenerator } from './id-generator.js';
import { TcMetrics } from './metrics.js';
import { RmChannels } from './rm-channels.js';
import { createTables, tableNames } from './schema.js';
import { TcServer } from './server.js';
import { SessionStore } from './session-store.js';

export interface TcOptions {
  db: { host: string; port: number; user: string; password: string; database: string };
  /** Keeps test runs on their own tables; '' in production. */
  tableSuffix?: string;
  host?: string;
  port?: number;
  /** The address written into XIDs (default: host). */
  advertisedIp?: string;
  adminPort?: number;
  owner?: string;
  leaseMs?: number;
  recoveryIntervalMs?: number;
  branchTimeoutMs?: number;
  maxTimeoutMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export class TransactionCoordinator implements Component {
  readonly name = 'tx-coordinator';
  readonly owner: string;
  readonly metrics = new TcMetrics();
  private pool: Pool | undefined;
  private server: TcServer | undefined;
  private admin: FastifyInstance | undefined;
  private timer: NodeJS.Timeout | undefined;
  private recovering = false;
  port = 0;
  adminPort = 0;
  coordinator: Coordinator | undefined;
  store: SessionStore | undefined;

  constructor(private readonly opts: TcOptions) {
    this.owner = opts.owner ?? `tc-${randomUUID().slice(0, 8)}`;
  }

  private get log() {
    return this.opts.log ?? ((level, msg, fields) => console[level === 'info' ? 'log' : level](`[tc ${this.owner}] ${msg}`, fields ?? ''));
  }

  async start(): Promise<void> {
    const o = this.opts;
    this.pool = mysql.createPool({ ...o.db, connectionLimit: 16, enableKeepAlive: true, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
    const tables = tableNames(o.tableSuffix);
    await createTables(this.pool, tables);
    this.store = new SessionStore(this.pool, tables);
    const rms = new RmChannels();
    const host = o.host ?? '127.0.0.1';
    const server = new TcServer(() => this.coordinator!, rms, this.metrics);
    this.port = await server.listen(o.port ?? 0, host);
    this.server = server;
    this.coordinator = new Coordinator(this.store, rms, new IdGenerator(randomInt(1024)), this.metrics, {
      owner: this.owner,
      ip: o.advertisedIp ?? host,
      port: this.port,
      leaseMs: o.leaseMs ?? 10_000,
      branchTimeoutMs: o.branchTimeoutMs ?? 5_000,
      maxTimeoutMs: o.maxTimeoutMs ?? 3_600_000,
      log: this.log,
    });
    this.admin = buildAdmin(this.store, rms, this.metrics, this.owner);
    await this.admin.listen({ port: o.adminPort ?? 0, host });
    const addr = this.admin.server.address();
    this.adminPort = typeof addr === 'object' && addr ? addr.port : 0;
    this.timer = setInterval(() => void this.recover(), o.recoveryIntervalMs ?? 1000);
    void this.recover();
  }

  private async recover(): Promise<void> {
    if (this.recovering || !this.coordinator) return;
    this.recovering = true;
    try {
      await this.coordinator.recoverOnce();
    } catch (err) {
      this.log('warn', 'recovery round failed; retrying next round', { err: String(err) });
    } finally {
      this.recovering = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const [server, admin, pool] = [this.server, this.admin, this.pool];
    this.server = this.admin = this.pool = undefined;
    this.coordinator = undefined; // a recovery round in flight finds nothing to drive next
    await server?.close();
    await admin?.close();
    await pool?.end();
  }
}
