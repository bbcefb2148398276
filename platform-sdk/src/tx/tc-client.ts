/**
 * The client's one persistent connection to a transaction coordinator. It registers the
 * resources this process serves (RegRM) on every (re)connect, answers the TC's BranchCommit /
 * BranchRollback by handing them to the resource manager of the branch's type, and
 * reconnects — to the next address the resolver gives — when the connection drops. Requests
 * made while disconnected wait for the next connection up to their timeout.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { TxBadRequestError, TxTcUnavailableError } from './errors.js';
import { observeBranchPhaseTwo, observeTcRequest } from '../observability/tx-observation.js';
import { BranchStatus, type BranchType } from './model.js';
import type { BranchPhaseTwo, RequestType, Requests } from './protocol.js';
import { RpcChannel } from './rpc-channel.js';

/** What the TC calls back on a participant: Seata's ResourceManager, one per branch type. */
export interface ResourceManager {
  readonly branchType: BranchType;
  resourceIds(): string[];
  branchCommit(req: BranchPhaseTwo): Promise<BranchStatus>;
  branchRollback(req: BranchPhaseTwo): Promise<BranchStatus>;
}

const BRANCH_STATUS_NAMES = new Map<number, string>(
  Object.entries(BranchStatus).map(([name, code]) => [code, name]),
);

function branchStatusName(code: number): string {
  return BRANCH_STATUS_NAMES.get(code) ?? String(code);
}

export interface TcAddress {
  host: string;
  port: number;
}

export interface TcClientOptions {
  applicationId: string;
  /** Where the TC is: fixed addresses, or a lookup (e.g. Nacos discovery of `tx-coordinator`). */
  resolve: () => Promise<TcAddress[]> | TcAddress[];
  requestTimeoutMs?: number;
  reconnectDelayMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export class TcClient {
  readonly clientId: string;
  private channel: RpcChannel | undefined;
  private readonly rms = new Map<BranchType, ResourceManager>();
  private waiters: (() => void)[] = [];
  private closed = false;
  private connecting = false;
  private attempt = 0;

  constructor(private readonly opts: TcClientOptions) {
    this.clientId = `${opts.applicationId}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  get connected(): boolean {
    return this.channel !== undefined && !this.channel.closed;
  }

  /** Opens the connection; resolves once connected (and keeps reconnecting after that). */
  async start(): Promise<void> {
    this.closed = false;
    void this.reconnect();
    await this.waitConnected(this.opts.requestTimeoutMs ?? 10_000);
  }

  close(): void {
    this.closed = true;
    this.channel?.close();
    this.channel = undefined;
  }

  addResourceManager(rm: ResourceManager): void {
    this.rms.set(rm.branchType, rm);
    if (this.connected) void this.registerResources(this.channel!).catch(() => undefined);
  }

  /** Re-sends RegRM, e.g. after a resource manager learnt a new resource. */
  refreshResources(): void {
    if (this.connected) void this.registerResources(this.channel!).catch(() => undefined);
  }

  async request<T extends RequestType>(
    type: T,
    body: Requests[T]['body'],
    timeoutMs?: number,
  ): Promise<Requests[T]['result']> {
    const limit = timeoutMs ?? this.opts.requestTimeoutMs ?? 10_000;
    const xid = (body as { xid?: unknown }).xid;
    return observeTcRequest(type, typeof xid === 'string' ? xid : undefined, async () => {
      if (!this.connected) await this.waitConnected(limit);
      return this.channel!.request(type, body, limit);
    });
  }

  private waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(
          new TxTcUnavailableError('(not connected)', new Error(`no connection within ${timeoutMs} ms`)),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  private async reconnect(): Promise<void> {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    try {
      while (!this.closed && !this.connected) {
        try {
          await this.connectOnce();
        } catch (err) {
          this.opts.log?.('warn', 'cannot reach the transaction coordinator; retrying', { err: String(err) });
          await new Promise((r) => setTimeout(r, this.opts.reconnectDelayMs ?? 500));
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async connectOnce(): Promise<void> {
    const addresses = await this.opts.resolve();
    if (addresses.length === 0) throw new Error('no transaction coordinator address is known');
    const a = addresses[this.attempt++ % addresses.length]!;
    const socket = connect({ host: a.host, port: a.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const channel: RpcChannel = new RpcChannel(
      socket,
      (type, body) => this.serve(type, body),
      `${a.host}:${a.port}`,
      () => {
        if (this.channel === channel) this.channel = undefined;
        if (!this.closed) setTimeout(() => void this.reconnect(), this.opts.reconnectDelayMs ?? 500);
      },
    );
    await this.registerResources(channel);
    this.channel = channel;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private registerResources(channel: RpcChannel): Promise<object> {
    const resourceIds = [...this.rms.values()].flatMap((rm) => rm.resourceIds());
    return channel.request('RegRM', {
      applicationId: this.opts.applicationId,
      clientId: this.clientId,
      resourceIds,
    });
  }

  private async serve(type: RequestType, body: unknown): Promise<unknown> {
    if (type === 'Heartbeat') return {};
    if (type !== 'BranchCommit' && type !== 'BranchRollback')
      throw new TxBadRequestError(`a client does not serve ${type}`, type);
    const req = body as BranchPhaseTwo;
    const rm = this.rms.get(req.branchType);
    if (!rm) throw new TxBadRequestError(`no ${req.branchType} resource manager in this process`, req);
    const status = await observeBranchPhaseTwo(type, req, branchStatusName, () =>
      type === 'BranchCommit' ? rm.branchCommit(req) : rm.branchRollback(req),
    );
    return { status };
  }
}
