/**
 * The wire between a Silk TM/RM and the transaction coordinator (TC): length-prefixed JSON
 * frames over one persistent TCP connection per client, opened by the client. Both sides
 * send requests on it — the client begins, registers and reports; the TC drives phase two
 * by sending BranchCommit / BranchRollback back down the same connection, so participants
 * never need to be reachable from the TC (Seata's RM channel, not its binary codec).
 *
 *   +----------------+-------------------------------+
 *   | length: uint32 | UTF-8 JSON, `length` bytes    |
 *   | big-endian     | {"id":7,"type":"GlobalBegin",  |
 *   |                |  "body":{...}}                 |
 *   +----------------+-------------------------------+
 *
 * A request carries a positive `id` chosen by its sender; the answer is
 * `{"id":7,"type":"Response","body":{...}}` or `{"id":7,"type":"Response","error":{code,message,retryable}}`.
 * A frame longer than MAX_FRAME (Seata's 8 MiB) or not a JSON object with a numeric id and a
 * string type is corrupt: the receiver closes that connection.
 */
import type { BranchStatus, BranchType } from './model.js';

export const MAX_FRAME = 8 * 1024 * 1024;
const HEADER = 4;

export interface Requests {
  RegRM: { body: { applicationId: string; clientId: string; resourceIds: string[] }; result: object };
  GlobalBegin: { body: { name: string; timeoutMs: number; applicationId?: string }; result: { xid: string } };
  GlobalCommit: { body: { xid: string }; result: { status: number } };
  GlobalRollback: { body: { xid: string }; result: { status: number } };
  GlobalStatus: { body: { xid: string }; result: { status: number } };
  BranchRegister: {
    body: {
      xid: string;
      branchType: BranchType;
      resourceId: string;
      lockKey?: string;
      applicationData?: string;
      clientId: string;
    };
    result: { branchId: string };
  };
  BranchReport: {
    body: { xid: string; branchId: string; status: BranchStatus; applicationData?: string };
    result: object;
  };
  GlobalLockQuery: { body: { xid?: string; resourceId: string; lockKey: string }; result: { lockable: boolean } };
  /** TC → RM. */
  BranchCommit: { body: BranchPhaseTwo; result: { status: BranchStatus } };
  /** TC → RM. */
  BranchRollback: { body: BranchPhaseTwo; result: { status: BranchStatus } };
  Heartbeat: { body: object; result: object };
}

export interface BranchPhaseTwo {
  xid: string;
  branchId: string;
  branchType: BranchType;
  resourceId: string;
  applicationData?: string;
}

export type RequestType = keyof Requests;

export interface WireError {
  code: string;
  message: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export type Frame =
  | { id: number; type: RequestType; body: unknown }
  | { id: number; type: 'Response'; body?: unknown; error?: WireError };

export class FrameError extends Error {}

export function encodeFrame(frame: Frame): Buffer {
  const json = Buffer.from(JSON.stringify(frame), 'utf8');
  if (json.length > MAX_FRAME) throw new FrameError(`frame of ${json.length} bytes exceeds ${MAX_FRAME}`);
  const out = Buffer.allocUnsafe(HEADER + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, HEADER);
  return out;
}

const REQUEST_TYPES = new Set<string>([
  'RegRM',
  'GlobalBegin',
  'GlobalCommit',
  'GlobalRollback',
  'GlobalStatus',
  'BranchRegister',
  'BranchReport',
  'GlobalLockQuery',
  'BranchCommit',
  'BranchRollback',
  'Heartbeat',
]);

function validate(value: unknown): Frame {
  if (typeof value !== 'object' || value === null) throw new FrameError('frame is not a JSON object');
  const f = value as Record<string, unknown>;
  if (typeof f.id !== 'number' || !Number.isSafeInteger(f.id)) throw new FrameError('frame has no numeric id');
  if (f.type !== 'Response' && (typeof f.type !== 'string' || !REQUEST_TYPES.has(f.type)))
    throw new FrameError(`frame type ${JSON.stringify(f.type)} is unknown`);
  return f as unknown as Frame;
}

/**
 * Accumulates socket chunks and yields whole frames. Incomplete input is kept for the next
 * chunk; corrupt input throws FrameError (the caller closes the connection).
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    while (this.buf.length >= HEADER) {
      const len = this.buf.readUInt32BE(0);
      if (len > MAX_FRAME) throw new FrameError(`frame length ${len} exceeds ${MAX_FRAME}`);
      if (this.buf.length < HEADER + len) break;
      const text = this.buf.subarray(HEADER, HEADER + len).toString('utf8');
      this.buf = this.buf.subarray(HEADER + len);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new FrameError('frame body is not valid JSON');
      }
      frames.push(validate(parsed));
    }
    return frames;
  }
}
