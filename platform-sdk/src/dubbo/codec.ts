/**
 * Bodies of the dubbo protocol with hessian2 serialization (DubboCodec,
 * DecodeableRpcInvocation, DecodeableRpcResult), as pure functions from values to frames and
 * back. Request body: dubbo version, service path, service version, method, parameter type
 * descriptor (JVM form, `Ljava/lang/String;J`), each argument, then the attachments map.
 * Response body for status OK: a flag (RESPONSE_*), then the value or the Throwable, then the
 * attachments when the caller's dubbo version reads them; any other status: one string.
 * Heartbeats are events whose body is Hessian null.
 */
import {
  DUBBO_VERSION,
  HEADER_LENGTH,
  HESSIAN2_SERIALIZATION_ID,
  RESPONSE_NULL_VALUE,
  RESPONSE_NULL_VALUE_WITH_ATTACHMENTS,
  RESPONSE_VALUE,
  RESPONSE_VALUE_WITH_ATTACHMENTS,
  RESPONSE_WITH_EXCEPTION,
  RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS,
  STATUS,
  isSupportResponseAttachment,
} from './constants.js';
import { DubboCodecError } from './errors.js';
import { writeHeader, type Frame, type FrameHeader } from './frame.js';
import { HessianDecoder } from './hessian-decoder.js';
import { HessianEncoder } from './hessian-encoder.js';
import type { JavaType } from './java-types.js';
import { JavaThrowable } from './java-values.js';
import { writeJava } from './typed-encoder.js';

export type Attachments = Record<string, unknown>;

export interface RpcInvocation {
  dubboVersion: string;
  path: string;
  version: string;
  method: string;
  /** JVM descriptors of the declared parameter types, concatenated. */
  parameterTypesDesc: string;
  args: unknown[];
  attachments: Attachments;
}

export type RpcResult =
  /** `type`: the declared return type the value is written as (toJava), when there is one. */
  | { kind: 'value'; value: unknown; attachments: Attachments; type?: JavaType }
  | { kind: 'exception'; exception: JavaThrowable; attachments: Attachments }
  | { kind: 'status'; status: number; message: string };

// One encoder reused by every call: encoding is synchronous, so calls never interleave.
const encoder = new HessianEncoder(4096);

/** The shared encoder, reset for a new body. */
function body(): HessianEncoder {
  return encoder.reset();
}

/** The frame of the body just written: `h`'s header (none yet when undefined), then the body. */
function frame(h: FrameHeader | undefined): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + encoder.length);
  if (h) writeHeader(out, h, encoder.length);
  encoder.copyTo(out, HEADER_LENGTH);
  return out;
}

function requestHeader(requestId: bigint, twoWay: boolean, event = false): FrameHeader {
  return { isRequest: true, twoWay, event, serializationId: HESSIAN2_SERIALIZATION_ID, status: 0, requestId };
}

function responseHeader(requestId: bigint, status: number, event = false): FrameHeader {
  return {
    isRequest: false,
    twoWay: false,
    event,
    serializationId: HESSIAN2_SERIALIZATION_ID,
    status,
    requestId,
  };
}

function writeAttachments(e: HessianEncoder, att: Attachments): void {
  e.writeMapStart();
  for (const k of Object.keys(att)) {
    e.writeString(k);
    e.write(att[k]);
  }
  e.writeMapEnd();
}

/**
 * The request body; with `argTypes`, each argument is written as its declared Java type
 * (writeJava: what toJava then write would give), else as it is.
 */
function writeRequestBody(e: HessianEncoder, inv: RpcInvocation, argTypes?: readonly JavaType[]): void {
  e.writeString(inv.dubboVersion);
  e.writeString(inv.path);
  e.writeString(inv.version);
  e.writeString(inv.method);
  e.writeString(inv.parameterTypesDesc);
  if (argTypes) for (let i = 0; i < inv.args.length; i++) writeJava(e, argTypes[i]!, inv.args[i]);
  else for (const a of inv.args) e.write(a);
  writeAttachments(e, inv.attachments);
}

export function encodeRequest(requestId: bigint, inv: RpcInvocation, twoWay = true): Buffer {
  writeRequestBody(body(), inv);
  return frame(requestHeader(requestId, twoWay));
}

/**
 * A request encoded once before a provider is chosen (its body does not depend on which), and
 * framed per attempt with that attempt's request id: a failover retry re-sends the same body.
 */
export class PreparedRequest {
  private framed = false;

  constructor(
    readonly path: string,
    readonly method: string,
    private readonly frame: Buffer,
  ) {}

  /** The frame with `requestId`: the buffer itself the first time, a copy after (the first may still sit in a socket's queue). */
  frameFor(requestId: bigint, twoWay = true): Buffer {
    const out = this.framed ? Buffer.from(this.frame) : this.frame;
    this.framed = true;
    writeHeader(out, requestHeader(requestId, twoWay), out.length - HEADER_LENGTH);
    return out;
  }
}

/** Encodes `inv` with its arguments written as `argTypes` (throws BadArgumentError as toJava does). */
export function prepareRequest(inv: RpcInvocation, argTypes: readonly JavaType[]): PreparedRequest {
  writeRequestBody(body(), inv, argTypes);
  return new PreparedRequest(inv.path, inv.method, frame(undefined));
}

const parameterCounts = new Map<string, number>();

/** How many arguments a descriptor declares (`Ljava/lang/String;[IJ` → 3). */
export function countParameters(desc: string): number {
  const known = parameterCounts.get(desc);
  if (known !== undefined) return known;
  const n = scanParameters(desc);
  // Descriptors come from peers: keep the cache bounded.
  if (parameterCounts.size >= 1000) parameterCounts.clear();
  parameterCounts.set(desc, n);
  return n;
}

function scanParameters(desc: string): number {
  let n = 0;
  for (let i = 0; i < desc.length; i++) {
    while (desc[i] === '[') i++;
    if (desc[i] === 'L') {
      const end = desc.indexOf(';', i);
      if (end < 0) throw new DubboCodecError(`parameter descriptor '${desc}' has an unterminated class name`);
      i = end;
    } else if (!'ZBCSIJFD'.includes(desc[i] ?? '')) {
      throw new DubboCodecError(`parameter descriptor '${desc}' has an unknown type '${desc[i]}'`);
    }
    n++;
  }
  return n;
}

function toAttachments(v: unknown): Attachments {
  if (v === null || v === undefined) return {};
  if (!(v instanceof Map)) throw new DubboCodecError('attachments are not a map');
  const out: Attachments = {};
  for (const [k, val] of v) out[String(k)] = val;
  return out;
}

export function decodeRequest(body: Buffer): RpcInvocation {
  const d = new HessianDecoder(body);
  const dubboVersion = d.readString('the dubbo version');
  const path = d.readString('the service path');
  const version = d.readString('the service version');
  const method = d.readString('the method name');
  const parameterTypesDesc = d.readString('the parameter types');
  const args: unknown[] = [];
  for (let i = countParameters(parameterTypesDesc); i > 0; i--) args.push(d.read());
  const attachments = d.atEnd ? {} : toAttachments(d.read());
  return { dubboVersion, path, version, method, parameterTypesDesc, args, attachments };
}

/**
 * A response to a request that came with `callerVersion`; attachments are written only to
 * callers whose version reads them (Version.isSupportResponseAttachment), as Java does.
 */
export function encodeResponse(
  requestId: bigint,
  result: RpcResult,
  callerVersion: string | undefined,
): Buffer {
  if (result.kind === 'status') {
    body().writeString(result.message);
    return frame(responseHeader(requestId, result.status));
  }
  const attach = isSupportResponseAttachment(callerVersion);
  const e = body();
  if (result.kind === 'exception') {
    e.writeInt(attach ? RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS : RESPONSE_WITH_EXCEPTION);
    e.write(result.exception);
  } else if (result.value === null || result.value === undefined) {
    e.writeInt(attach ? RESPONSE_NULL_VALUE_WITH_ATTACHMENTS : RESPONSE_NULL_VALUE);
  } else {
    e.writeInt(attach ? RESPONSE_VALUE_WITH_ATTACHMENTS : RESPONSE_VALUE);
    if (result.type) writeJava(e, result.type, result.value);
    else e.write(result.value);
  }
  if (attach) writeAttachments(e, withDubboVersion(result.attachments));
  return frame(responseHeader(requestId, STATUS.OK));
}

/** `{ ...att, dubbo: DUBBO_VERSION }`, without the copy when `att` is empty (the usual case). */
function withDubboVersion(att: Attachments): Attachments {
  return Object.keys(att).length > 0 ? { ...att, dubbo: DUBBO_VERSION } : DUBBO_VERSION_ONLY;
}

const DUBBO_VERSION_ONLY: Attachments = Object.freeze({ dubbo: DUBBO_VERSION });

export function decodeResponse(frame: Pick<Frame, 'status' | 'body'>): RpcResult {
  const d = new HessianDecoder(frame.body);
  if (frame.status !== STATUS.OK) {
    const m = d.atEnd ? '' : d.read();
    return { kind: 'status', status: frame.status, message: typeof m === 'string' ? m : String(m) };
  }
  const flag = d.read();
  switch (flag) {
    case RESPONSE_NULL_VALUE:
      return { kind: 'value', value: null, attachments: {} };
    case RESPONSE_VALUE:
      return { kind: 'value', value: d.read(), attachments: {} };
    case RESPONSE_WITH_EXCEPTION:
      return { kind: 'exception', exception: asThrowable(d.read()), attachments: {} };
    case RESPONSE_NULL_VALUE_WITH_ATTACHMENTS:
      return { kind: 'value', value: null, attachments: toAttachments(d.read()) };
    case RESPONSE_VALUE_WITH_ATTACHMENTS: {
      const value = d.read();
      return { kind: 'value', value, attachments: toAttachments(d.read()) };
    }
    case RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS: {
      const exception = asThrowable(d.read());
      return { kind: 'exception', exception, attachments: toAttachments(d.read()) };
    }
    default:
      throw new DubboCodecError(`unknown response flag ${String(flag)}; expected 0 to 5`);
  }
}

function asThrowable(v: unknown): JavaThrowable {
  if (v instanceof JavaThrowable) return v;
  throw new DubboCodecError('the response says exception but its value is not a Throwable');
}

/** Heartbeat request (event, two-way, body Hessian null) and its answer. */
export function encodeHeartbeat(requestId: bigint): Buffer {
  body().write(null);
  return frame(requestHeader(requestId, true, true));
}

export function encodeHeartbeatResponse(requestId: bigint): Buffer {
  body().write(null);
  return frame(responseHeader(requestId, STATUS.OK, true));
}
