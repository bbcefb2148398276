/**
 * One side of a TC connection: sends requests and matches answers by id, and hands the
 * peer's requests to a handler. The TC and the client both use it, so the two ends of the
 * protocol cannot drift apart. A corrupt frame destroys this socket and nothing else.
 */
import type { Socket } from 'node:net';
import { isSilkError } from '../core/index.js';
import { TxRemoteError, TxTcUnavailableError } from './errors.js';
import { encodeFrame, FrameDecoder, type Frame, type RequestType, type Requests, type WireError } from './protocol.js';

export type RequestHandler = (type: RequestType, body: unknown) => Promise<unknown>;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
  type: RequestType;
}

export class RpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private closedWith: Error | undefined;

  constructor(
    readonly socket: Socket,
    private readonly handler: RequestHandler,
    readonly peer: string,
    private readonly onClose: (err?: Error) => void = () => undefined,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close(new Error('connection closed')));
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  request<T extends RequestType>(type: T, body: Requests[T]['body'], timeoutMs = 30_000): Promise<Requests[T]['result']> {
    if (this.closedWith) return Promise.reject(new TxTcUnavailableError(this.peer, this.closedWith));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TxTcUnavailableError(this.peer, new Error(`${type} got no answer within ${timeoutMs} ms`)));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, type });
      this.write({ id, type, body });
    });
  }

  close(err: Error = new Error('closed locally')): void {
    if (this.closedWith) return;
    this.closedWith = err;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new TxTcUnavailableError(this.peer, err));
    }
    this.pending.clear();
    this.socket.destroy();
    this.onClose(err);
  }

  private write(frame: Frame): void {
    if (!this.closedWith) this.socket.write(encodeFrame(frame));
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.close(err as Error);
      return;
    }
    for (const f of frames) {
      if (f.type === 'Response') this.settle(f);
      else void this.serve(f.id, f.type, f.body);
    }
  }

  private settle(f: Extract<Frame, { type: 'Response' }>): void {
    const p = this.pending.get(f.id);
    if (!p) return;
    this.pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.error) p.reject(new TxRemoteError(p.type, f.error));
    else p.resolve(f.body ?? {});
  }

  private async serve(id: number, type: RequestType, body: unknown): Promise<void> {
    try {
      const result = await this.handler(type, body);
      this.write({ id, type: 'Response', body: result ?? {} });
    } catch (err) {
      this.write({ id, type: 'Response', error: toWireError(err) });
    }
  }
}

export function toWireError(err: unknown): WireError {
  if (isSilkError(err)) return { code: err.code, message: err.message, retryable: err.retryable, details: err.details };
  return { code: 'SILK_TX_INTERNAL', message: err instanceof Error ? err.message : String(err), retryable: true };
}
