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
import { JavaThrowable } from './java-values.js';

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
  | { kind: 'value'; value: unknown; attachments: Attachments }
  | { kind: 'exception'; exception: JavaThrowable; attachments: Attachments }
  | { kind: 'status'; status: number; message: string };

// One encoder reused by every call: encoding is synchronous, so calls never interleave.
const encoder = new HessianEncoder(4096);

function frameOf(h: FrameHeader, write: (e: HessianEncoder) => void): Buffer {
  encoder.reset();
  write(encoder);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + encoder.length);
  writeHeader(out, h, encoder.length);
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

export function encodeRequest(requestId: bigint, inv: RpcInvocation, twoWay = true): Buffer {
  return frameOf(requestHeader(requestId, twoWay), (e) => {
    e.writeString(inv.dubboVersion);
    e.writeString(inv.path);
    e.writeString(inv.version);
    e.writeString(inv.method);
    e.writeString(inv.parameterTypesDesc);
    for (const a of inv.args) e.write(a);
    e.writeMap(Object.entries(inv.attachments));
  });
}

/** How many arguments a descriptor declares (`Ljava/lang/String;[IJ` → 3). */
export function countParameters(desc: string): number {
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
  if (result.kind === 'status')
    return frameOf(responseHeader(requestId, result.status), (e) => e.writeString(result.message));
  const attach = isSupportResponseAttachment(callerVersion);
  return frameOf(responseHeader(requestId, STATUS.OK), (e) => {
    if (result.kind === 'exception') {
      e.writeInt(attach ? RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS : RESPONSE_WITH_EXCEPTION);
      e.write(result.exception);
    } else if (result.value === null || result.value === undefined) {
      e.writeInt(attach ? RESPONSE_NULL_VALUE_WITH_ATTACHMENTS : RESPONSE_NULL_VALUE);
    } else {
      e.writeInt(attach ? RESPONSE_VALUE_WITH_ATTACHMENTS : RESPONSE_VALUE);
      e.write(result.value);
    }
    if (attach) e.writeMap(Object.entries({ ...result.attachments, dubbo: DUBBO_VERSION }));
  });
}

export function decodeResponse(frame: Pick<Frame, 'status' | 'body'>): RpcResult {
  const d = new HessianDecoder(frame.body);
  if (frame.status !== STATUS.OK) {
    const m = d.atEnd ? '' : d.read();
    return { kind: 'status', status: frame.status, message: typeof m === 'string' ? m : String(m) };
  }
  const flag = d.read();
  const readAttachments = () => toAttachments(d.read());
  switch (flag) {
    case RESPONSE_NULL_VALUE:
      return { kind: 'value', value: null, attachments: {} };
    case RESPONSE_VALUE:
      return { kind: 'value', value: d.read(), attachments: {} };
    case RESPONSE_WITH_EXCEPTION:
      return { kind: 'exception', exception: asThrowable(d.read()), attachments: {} };
    case RESPONSE_NULL_VALUE_WITH_ATTACHMENTS:
      return { kind: 'value', value: null, attachments: readAttachments() };
    case RESPONSE_VALUE_WITH_ATTACHMENTS: {
      const value = d.read();
      return { kind: 'value', value, attachments: readAttachments() };
    }
    case RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS: {
      const exception = asThrowable(d.read());
      return { kind: 'exception', exception, attachments: readAttachments() };
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
  return frameOf(requestHeader(requestId, true, true), (e) => e.write(null));
}

export function encodeHeartbeatResponse(requestId: bigint): Buffer {
  return frameOf(responseHeader(requestId, STATUS.OK, true), (e) => e.write(null));
}
