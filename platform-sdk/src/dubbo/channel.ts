/**
 * One TCP connection speaking the dubbo protocol, shared by the consumer and the provider
 * sides: frames in through a FrameDecoder, frames out corked per event-loop turn (64 calls
 * in flight cost one write syscall, not 64), heartbeats answered, idle peers probed and
 * dropped after three silent heartbeat periods, as Dubbo's HeartbeatTimerTask and
 * CloseTimerTask do. A frame that cannot be decoded destroys this connection only.
 */
import type { Socket } from 'node:net';
import { encodeHeartbeat, encodeHeartbeatResponse } from './codec.js';
import { DEFAULT_HEARTBEAT } from './constants.js';
import { FrameDecoder, type Frame } from './frame.js';
import { HessianDecoder } from './hessian-decoder.js';

export interface ChannelLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
}

export const consoleLogger: ChannelLogger = {
  warn: (obj, msg) => console.warn(`[silk-dubbo] ${msg}`, obj),
};

export interface ChannelOptions {
  payloadLimit?: number;
  /** Heartbeat period in ms; 0 turns heartbeats off. Default 60 s as in Dubbo. */
  heartbeat?: number;
  logger?: ChannelLogger;
  /** A non-heartbeat frame arrived. */
  onFrame(frame: Frame, channel: DubboChannel): void;
  /** The connection is gone, with the reason. */
  onClose(channel: DubboChannel, reason: string, error?: Error): void;
}

/** The Hessian null Dubbo uses as the heartbeat payload. */
function isHeartbeatBody(body: Buffer): boolean {
  return body.length === 1 && body[0] === 0x4e;
}

export class DubboChannel {
  readonly address: string;
  /** Set when the peer announced it is shutting down (Dubbo's readonly event). */
  readonly = false;
  private readonly decoder: FrameDecoder;
  private lastRead = Date.now();
  private corked = false;
  private closed = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatId = -1n;

  constructor(
    readonly socket: Socket,
    private readonly opts: ChannelOptions,
  ) {
    this.address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.decoder = new FrameDecoder({ payloadLimit: opts.payloadLimit });
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.close(`socket error: ${e.message}`, e));
    socket.on('close', () => this.close('closed by peer'));
    const hb = opts.heartbeat ?? DEFAULT_HEARTBEAT;
    if (hb > 0) {
      this.heartbeatTimer = setInterval(() => this.checkIdle(hb), hb);
      this.heartbeatTimer.unref();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the kernel buffer is full: callers should wait for `drain`. */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  close(reason: string, error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    this.socket.destroy();
    this.opts.onClose(this, reason, error);
  }

  private onData(d: Buffer): void {
    this.lastRead = Date.now();
    let frames: Frame[];
    try {
      frames = this.decoder.push(d);
    } catch (e) {
      const err = e as Error & { code?: string };
      this.opts.logger?.warn(
        { peer: this.address, code: err.code, error: err.message },
        'closing a Dubbo connection that sent a malformed frame',
      );
      this.close(`malformed frame: ${err.message}`, err);
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      if (f.event) this.onEvent(f);
      else this.opts.onFrame(f, this);
    }
  }

  private onEvent(f: Frame): void {
    if (!isHeartbeatBody(f.body)) {
      // Other events carry a short string; "R" is READONLY_EVENT, sent by a provider going down.
      let data: unknown;
      try {
        data = new HessianDecoder(f.body).read();
      } catch {
        data = undefined;
      }
      if (data === 'R') this.readonly = true;
    }
    if (f.isRequest && f.twoWay) this.send(encodeHeartbeatResponse(f.requestId));
  }

  private checkIdle(period: number): void {
    const idle = Date.now() - this.lastRead;
    if (idle >= period * 3) this.close(`no data for ${idle} ms (3 heartbeats)`);
    else if (idle >= period) this.send(encodeHeartbeat(this.heartbeatId--));
  }
}
