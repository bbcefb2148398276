/**
 * The provider's transport: accepts dubbo connections on a port, decodes each request, runs
 * the exported method inside the caller's request context (XID, traceparent and caller app
 * from the attachments), and answers on the same connection, many requests at once.
 *
 * Backpressure: a connection with too many unanswered requests, or whose peer does not read
 * our answers, is paused until it catches up. A malformed frame closes that connection alone
 * (with a log line); a graceful close stops accepting, tells consumers we are going
 * (READONLY_EVENT), and waits for the requests already running.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { type SilkContext } from '../core/index.js';
import { observeRpcServer } from '../observability/rpc-observation.js';
import { scopeInContext, type ObservabilityScope } from '../observability/spans.js';
import type { Sentinel } from '../sentinel/index.js';
import { guardProvider, SENTINEL_DUBBO_APPLICATION_KEY } from './sentinel-filter.js';
import { accessLogSink, type AccessLogSetting, type AccessLogSink } from './access-log.js';
import { DubboChannel, consoleLogger, type ChannelLogger } from './channel.js';
import {
  decodeRequest,
  encodeResponse,
  type Attachments,
  type RpcInvocation,
  type RpcResult,
} from './codec.js';
import { ATTACHMENT, HESSIAN2_SERIALIZATION_ID, STATUS, statusName } from './constants.js';
import { writeHeader, type Frame } from './frame.js';
import { HessianEncoder } from './hessian-encoder.js';
import { BadArgumentError } from './errors.js';
import { JavaThrowable } from './java-values.js';
import {
  resolveMethods,
  serviceKey,
  type DubboServiceDefinition,
  type ResolvedMethod,
} from './service-definition.js';
import { CONTEXT_KEYS } from '../core/index.js';

/** What a method handler can see and set besides its arguments (passed as the last argument). */
export interface ProviderCallContext {
  readonly attachments: Readonly<Attachments>;
  /** Sent back with the result (RpcContext.getServerResponseContext on the Java side). */
  readonly responseAttachments: Attachments;
  readonly remoteAddress: string;
  readonly method: string;
}

export type MethodHandler = (...args: never[]) => unknown;

export interface ExchangeServerOptions {
  port?: number;
  host?: string;
  heartbeat?: number;
  payloadLimit?: number;
  /** Unanswered requests per connection before it is paused. Default 1000. */
  maxInFlightPerConnection?: number;
  logger?: ChannelLogger;
  /** Guard every exported method with Sentinel, as Java's Sentinel Dubbo provider filter does. */
  sentinel?: Sentinel;
  /** Dubbo's `accesslog`: `true` logs each invocation through the logger, a path appends it to that file. */
  accessLog?: AccessLogSetting;
}

interface Exported {
  def: DubboServiceDefinition;
  methods: Map<string, ResolvedMethod>;
  handlers: Record<string, MethodHandler>;
}

interface ConnState {
  inFlight: number;
  paused: boolean;
}

/** A Java exception to throw from a handler: the consumer sees this class and message. */
export function javaException(javaClass: string, message: string): JavaThrowable {
  return new JavaThrowable(javaClass, message);
}

function toThrowable(e: unknown): JavaThrowable {
  if (e instanceof JavaThrowable) return e;
  const javaClass = (e as { javaClass?: unknown } | null)?.javaClass;
  const message = e instanceof Error ? e.message : String(e);
  return new JavaThrowable(typeof javaClass === 'string' ? javaClass : 'java.lang.RuntimeException', message);
}

export class ExchangeServer {
  private server: Server | undefined;
  private readonly services = new Map<string, Exported>();
  private readonly channels = new Map<DubboChannel, ConnState>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly logger: ChannelLogger;
  private readonly accessLog: AccessLogSink | undefined;

  private scope: ObservabilityScope | undefined;

  constructor(private readonly opts: ExchangeServerOptions = {}) {
    this.logger = opts.logger ?? consoleLogger;
    const info = this.logger.info?.bind(this.logger);
    this.accessLog = accessLogSink(opts.accessLog, info);
  }

  export(def: DubboServiceDefinition, handlers: Record<string, MethodHandler>): void {
    const methods = resolveMethods(def);
    for (const name of methods.keys())
      if (typeof handlers[name] !== 'function') throw new Error(`no handler for ${def.interface}.${name}`);
    this.services.set(serviceKey(def.interface, def.version, def.group), { def, methods, handlers });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Connections open now (for tests and health). */
  get connectionCount(): number {
    return this.channels.size;
  }

  async start(): Promise<number> {
    // Requests arrive on socket events, outside the context start() ran in: keep its scope.
    this.scope = scopeInContext();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 20880, this.opts.host, () => resolve());
    });
    return this.port;
  }

  async stop(graceMs = 10_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const ch of this.channels.keys()) ch.send(readonlyEvent());
    if (this.inFlight > 0)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        this.idleWaiters.push(() => (clearTimeout(t), resolve()));
      });
    // Let the answers just written reach the socket before closing it.
    await new Promise((r) => setImmediate(r));
    for (const ch of [...this.channels.keys()]) ch.close('provider stopped');
    await closed;
    await this.accessLog?.close();
  }

  private accept(socket: Socket): void {
    const state: ConnState = { inFlight: 0, paused: false };
    const ch = new DubboChannel(socket, {
      heartbeat: this.opts.heartbeat,
      payloadLimit: this.opts.payloadLimit,
      logger: this.logger,
      onFrame: (f, c) => this.onRequest(f, c, state),
      onClose: (c) => this.channels.delete(c),
    });
    socket.on('drain', () => this.maybeResume(ch, state));
    this.channels.set(ch, state);
  }

  private onRequest(f: Frame, ch: DubboChannel, state: ConnState): void {
    if (!f.isRequest) return;
    let inv: RpcInvocation;
    try {
      inv = decodeRequest(f.body);
    } catch (e) {
      // The frame boundary is intact, so only this request fails (Dubbo answers BAD_REQUEST too).
      if (f.twoWay)
        this.reply(
          ch,
          f.requestId,
          {
            kind: 'status',
            status: STATUS.BAD_REQUEST,
            message: `Fail to decode request: ${(e as Error).message}`,
          },
          undefined,
        );
      return;
    }
    this.inFlight++;
    state.inFlight++;
    if (state.inFlight >= (this.opts.maxInFlightPerConnection ?? 1000) && !state.paused) {
      state.paused = true;
      ch.socket.pause();
    }
    void this.invoke(inv, ch).then((result) => {
      if (f.twoWay) this.reply(ch, f.requestId, result, inv.dubboVersion);
      state.inFlight--;
      if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.maybeResume(ch, state);
    });
  }

  private maybeResume(ch: DubboChannel, state: ConnState): void {
    if (ch.needsDrain) {
      if (!state.paused) {
        state.paused = true;
        ch.socket.pause();
      }
      return;
    }
    if (state.paused && state.inFlight < (this.opts.maxInFlightPerConnection ?? 1000) / 2) {
      state.paused = false;
      ch.socket.resume();
    }
  }

  private reply(ch: DubboChannel, id: bigint, result: RpcResult, callerVersion: string | undefined): void {
    let frame: Buffer;
    try {
      frame = encodeResponse(id, result, callerVersion);
    } catch (e) {
      frame =
        e instanceof BadArgumentError && result.kind === 'value'
          ? encodeResponse(
              id,
              { kind: 'exception', exception: toThrowable(e), attachments: result.attachments },
              callerVersion,
            )
          : encodeResponse(
              id,
              {
                kind: 'status',
                status: STATUS.BAD_RESPONSE,
                message: `Failed to send response: ${(e as Error).message}`,
              },
              callerVersion,
            );
    }
    ch.send(frame);
  }

  private async invoke(inv: RpcInvocation, ch: DubboChannel): Promise<RpcResult> {
    const att = inv.attachments;
    const group = typeof att[ATTACHMENT.group] === 'string' ? (att[ATTACHMENT.group] as string) : '';
    const key = serviceKey(inv.path, inv.version, group);
    const exported = this.services.get(key);
    if (!exported) {
      const message = `Not found exported service: ${key} in [${[...this.services.keys()].join(', ')}], may be version or group mismatch, channel: consumer: ${ch.address}, message:${inv.method}`;
      return { kind: 'status', status: STATUS.SERVICE_NOT_FOUND, message };
    }
    const responseAttachments: Attachments = {};
    if (inv.method === '$echo')
      return { kind: 'value', value: inv.args[0], attachments: responseAttachments };
    const m = exported.methods.get(inv.method);
    if (!m || m.desc !== inv.parameterTypesDesc)
      return {
        kind: 'exception',
        exception: new JavaThrowable(
          'org.apache.dubbo.rpc.RpcException',
          `Not found method ${inv.method}(${inv.parameterTypesDesc}) in service ${key}`,
        ),
        attachments: responseAttachments,
      };
    const ctx: ProviderCallContext = {
      attachments: att,
      responseAttachments,
      remoteAddress: ch.address,
      method: inv.method,
    };
    this.accessLog?.write({
      time: new Date(),
      remote: ch.address,
      local: `${ch.socket.localAddress ?? '?'}:${ch.socket.localPort ?? '?'}`,
      service: exported.def.interface,
      version: exported.def.version,
      group: exported.def.group,
      method: inv.method,
      parameterTypes: m.parameterTypes,
      args: inv.args,
    });
    try {
      const handler = exported.handlers[inv.method] as Handler;
      const sentinel = this.opts.sentinel;
      // The caller's context and a SERVER span around Sentinel too, so a block shows in the trace.
      // (Inline arrows, not named consts: a named closure per call costs a defineProperty under tsx.)
      const value = await observeRpcServer(
        { service: inv.path, method: inv.method, peer: ch.address },
        att,
        contextFrom(att),
        () =>
          sentinel
            ? guardProvider(
                sentinel,
                exported.def,
                inv.method,
                m.parameterTypes,
                inv.args,
                originOf(att),
                () => callHandler(handler, inv.args, ctx),
              )
            : callHandler(handler, inv.args, ctx),
        this.scope,
      );
      // Written as the declared return type when encoded (writeJava); reply() turns a value
      // that does not fit it into the exception toJava's throw used to become here.
      return { kind: 'value', value, type: m.returnJavaType, attachments: responseAttachments };
    } catch (e) {
      return { kind: 'exception', exception: toThrowable(e), attachments: responseAttachments };
    }
  }
}

type Handler = (...a: unknown[]) => unknown;

/**
 * Runs a handler: a synchronous throw becomes a rejection (traced like one), and the handler's
 * own promise is passed on as it is, without extra hops through then().
 */
function callHandler(handler: Handler, args: unknown[], ctx: ProviderCallContext): Promise<unknown> {
  try {
    return Promise.resolve(handler(...args, ctx));
  } catch (e) {
    return rejectedWith(e);
  }
}

/** A promise rejected with whatever a handler threw (not always an Error: toThrowable copes). */
function rejectedWith(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on unchanged, as the then() chain did
  return Promise.reject(reason);
}

/** Java's DubboUtils.getApplication: remote.application, else Sentinel's dubboApplication. */
function originOf(att: Attachments): string {
  const app = att[ATTACHMENT.remoteApplication] ?? att[SENTINEL_DUBBO_APPLICATION_KEY];
  return typeof app === 'string' ? app : '';
}

/** The request context a consumer sent in its attachments (Java and Silk consumers alike). */
export function contextFrom(att: Attachments): SilkContext {
  const ctx: SilkContext = {};
  const xid = stringAt(att, CONTEXT_KEYS.xid) ?? stringAt(att, XID_LOWER);
  if (xid) ctx.xid = xid;
  const tp = stringAt(att, CONTEXT_KEYS.traceparent);
  if (tp) ctx.traceparent = tp;
  const ts = stringAt(att, CONTEXT_KEYS.tracestate);
  if (ts) ctx.tracestate = ts;
  const app = stringAt(att, ATTACHMENT.remoteApplication);
  if (app) ctx.callerApp = app;
  return ctx;
}

const XID_LOWER = CONTEXT_KEYS.xid.toLowerCase();

function stringAt(att: Attachments, k: string): string | undefined {
  const v = att[k];
  return typeof v === 'string' ? v : undefined;
}

/** READONLY_EVENT: a one-way event request whose body is the string "R". */
function readonlyEvent(): Buffer {
  const e = new HessianEncoder(8).reset();
  e.writeString('R');
  const out = Buffer.allocUnsafe(16 + e.length);
  writeHeader(
    out,
    {
      isRequest: true,
      twoWay: false,
      event: true,
      serializationId: HESSIAN2_SERIALIZATION_ID,
      status: 0,
      requestId: 0n,
    },
    e.length,
  );
  e.copyTo(out, 16);
  return out;
}

export { statusName };
