/**
 * The consumer's transport: one shared connection per provider address (Dubbo's default
 * `connections=0` shares one), requests multiplexed on it by request id, a per-call timeout,
 * reconnection on the next call after a connection drops, and a graceful close that lets
 * in-flight calls finish. When a connection drops, every call waiting on it fails at once
 * with a retryable ConnectionClosedError rather than waiting for its timeout.
 */
import { connect } from 'node:net';
import { DubboChannel, type ChannelLogger } from './channel.js';
import {
  PreparedRequest,
  decodeResponse,
  encodeRequest,
  type RpcInvocation,
  type RpcResult,
} from './codec.js';
import { ConnectionClosedError, DubboShutdownError, DubboTimeoutError } from './errors.js';
import type { Frame } from './frame.js';

export interface ExchangeClientOptions {
  connectTimeoutMs?: number;
  heartbeat?: number;
  payloadLimit?: number;
  logger?: ChannelLogger;
}

interface Pending {
  resolve(r: RpcResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  address: string;
}

class ClientConnection {
  readonly pending = new Map<bigint, Pending>();
  channel!: DubboChannel;
}

export class ExchangeClient {
  private readonly ready = new Map<string, ClientConnection>();
  private readonly opening = new Map<string, Promise<ClientConnection>>();
  private nextId = 0n;
  private closing = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Calls in flight per address (for least-active load balancing). */
  readonly active = new Map<string, number>();

  constructor(private readonly opts: ExchangeClientOptions = {}) {}

  /** Sends `inv` to `address` and resolves with its result, or rejects on timeout/close. */
  request(address: string, inv: RpcInvocation | PreparedRequest, timeoutMs: number): Promise<RpcResult> {
    if (this.closing) return Promise.reject(new DubboShutdownError('this Dubbo consumer'));
    this.inFlight++;
    this.active.set(address, (this.active.get(address) ?? 0) + 1);
    const conn = this.ready.get(address);
    if (conn) return this.send(conn, address, inv, timeoutMs);
    return this.connection(address).then(
      (c) => this.send(c, address, inv, timeoutMs),
      (e: unknown) => {
        this.settled(address);
        throw e;
      },
    );
  }

  /** A call to `address` is over (answered, failed or timed out). */
  private settled(address: string): void {
    this.active.set(address, (this.active.get(address) ?? 1) - 1);
    if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private send(
    conn: ClientConnection,
    address: string,
    inv: RpcInvocation | PreparedRequest,
    timeoutMs: number,
  ): Promise<RpcResult> {
    const id = this.nextId++;
    let frame: Buffer;
    try {
      frame = inv instanceof PreparedRequest ? inv.frameFor(id) : encodeRequest(id, inv);
    } catch (e) {
      this.settled(address);
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise<RpcResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!conn.pending.delete(id)) return;
        this.settled(address);
        reject(new DubboTimeoutError({ service: inv.path, method: inv.method, address }, timeoutMs));
      }, timeoutMs);
      conn.pending.set(id, { resolve, reject, timer, address });
      conn.channel.send(frame);
    });
  }

  /** Whether the connection to `address` is up and its provider has not announced shutdown. */
  isAvailable(address: string): boolean {
    return !this.closing && this.ready.get(address)?.channel.readonly !== true;
  }

  /** Stops taking calls, waits up to `graceMs` for those in flight, then closes every connection. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    if (this.inFlight > 0)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        this.idleWaiters.push(() => (clearTimeout(t), resolve()));
      });
    await Promise.allSettled(this.opening.values());
    for (const c of [...this.ready.values()]) c.channel.close('consumer closed');
    this.ready.clear();
  }

  private connection(address: string): Promise<ClientConnection> {
    let p = this.opening.get(address);
    if (!p) {
      p = this.open(address).then(
        (c) => {
          this.opening.delete(address);
          if (!c.channel.isClosed) this.ready.set(address, c);
          return c;
        },
        (e: unknown) => {
          this.opening.delete(address);
          throw e;
        },
      );
      this.opening.set(address, p);
    }
    return p;
  }

  private open(address: string): Promise<ClientConnection> {
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i);
    const port = Number(address.slice(i + 1));
    const conn = new ClientConnection();
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timed out after ${this.opts.connectTimeoutMs ?? 3000} ms`)),
        this.opts.connectTimeoutMs ?? 3000,
      );
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectionClosedError(address, `connect failed: ${e.message}`, e));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        conn.channel = new DubboChannel(socket, {
          heartbeat: this.opts.heartbeat,
          payloadLimit: this.opts.payloadLimit,
          logger: this.opts.logger,
          onFrame: (f) => this.onResponse(conn, f),
          onClose: (_ch, reason, error) => this.onClose(address, conn, reason, error),
        });
        resolve(conn);
      });
    });
  }

  private onResponse(conn: ClientConnection, f: Frame): void {
    if (f.isRequest) return; // providers do not call consumers over dubbo:// (no callbacks here)
    const p = conn.pending.get(f.requestId);
    if (!p) return; // answered after its timeout
    conn.pending.delete(f.requestId);
    clearTimeout(p.timer);
    this.settled(p.address);
    try {
      p.resolve(decodeResponse(f));
    } catch (e) {
      p.reject(e as Error);
    }
  }

  private onClose(address: string, conn: ClientConnection, reason: string, error?: Error): void {
    // Forget it at once, so the next call opens a new connection (reconnect on demand).
    if (this.ready.get(address) === conn) this.ready.delete(address);
    for (const [id, p] of conn.pending) {
      clearTimeout(p.timer);
      conn.pending.delete(id);
      this.settled(p.address);
      p.reject(new ConnectionClosedError(address, reason, error));
    }
  }
}
