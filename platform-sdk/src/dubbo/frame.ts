/**
 * Framing of the dubbo protocol (ExchangeCodec): a 16-byte big-endian header, then the body.
 *
 *   0       2       3        4                        12              16
 *   +-------+-------+--------+------------------------+---------------+
 *   | magic | flags | status |       request id       |  body length  |
 *   | daabb |       |        |        (int64)         |    (int32)    |
 *   +-------+-------+--------+------------------------+---------------+
 *   flags: 0x80 request, 0x40 two-way, 0x20 event, low 5 bits serialization id
 *   status: responses only (20 = OK)
 *
 * FrameDecoder is fed whatever TCP hands over (half a header, three frames at once) and
 * yields whole frames; bytes that cannot be a frame throw, and the caller closes the
 * connection: after garbage there is no way to find the next frame boundary we could trust.
 */
import {
  DEFAULT_PAYLOAD,
  FLAG_EVENT,
  FLAG_REQUEST,
  FLAG_TWOWAY,
  HEADER_LENGTH,
  HESSIAN2_SERIALIZATION_ID,
  MAGIC_HIGH,
  MAGIC_LOW,
  SERIALIZATION_MASK,
} from './constants.js';
import { BadFrameError, PayloadTooLargeError } from './errors.js';

export interface FrameHeader {
  isRequest: boolean;
  twoWay: boolean;
  event: boolean;
  serializationId: number;
  status: number;
  requestId: bigint;
}

export interface Frame extends FrameHeader {
  body: Buffer;
}

// Request ids pass through here as bigint; a DataView is the cheap way to write and read them.
const idScratch = new DataView(new ArrayBuffer(8));

function writeRequestId(target: Buffer, id: bigint, offset: number): void {
  idScratch.setBigInt64(0, id);
  for (let i = 0; i < 8; i++) target[offset + i] = idScratch.getUint8(i);
}

function readRequestId(buf: Buffer, offset: number): bigint {
  const hi = buf.readUInt32BE(offset);
  // Ids below 2^53 (every id a peer counts up to) convert exactly from a number.
  if (hi < 0x200000) return BigInt(hi * 0x100000000 + buf.readUInt32BE(offset + 4));
  return buf.readBigInt64BE(offset);
}

export function writeHeader(target: Buffer, h: FrameHeader, bodyLength: number, offset = 0): void {
  target[offset] = MAGIC_HIGH;
  target[offset + 1] = MAGIC_LOW;
  target[offset + 2] =
    (h.serializationId & SERIALIZATION_MASK) |
    (h.isRequest ? FLAG_REQUEST : 0) |
    (h.isRequest && h.twoWay ? FLAG_TWOWAY : 0) |
    (h.event ? FLAG_EVENT : 0);
  target[offset + 3] = h.isRequest ? 0 : h.status;
  writeRequestId(target, h.requestId, offset + 4);
  target.writeInt32BE(bodyLength, offset + 12);
}

/** A whole frame (header + body) in one buffer. */
export function encodeFrame(h: FrameHeader, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  writeHeader(out, h, body.length);
  body.copy(out, HEADER_LENGTH);
  return out;
}

export function readHeader(buf: Buffer, offset = 0): FrameHeader & { bodyLength: number } {
  const flags = buf[offset + 2]!;
  return {
    isRequest: (flags & FLAG_REQUEST) !== 0,
    twoWay: (flags & FLAG_TWOWAY) !== 0,
    event: (flags & FLAG_EVENT) !== 0,
    serializationId: flags & SERIALIZATION_MASK,
    status: buf[offset + 3]!,
    requestId: readRequestId(buf, offset + 4),
    bodyLength: buf.readInt32BE(offset + 12),
  };
}

export interface FrameDecoderOptions {
  /** Largest body accepted; Dubbo's `payload`, default 8 MiB. */
  payloadLimit?: number;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the frame at the head needs in all; until then chunks are only collected. */
  private needed = 0;
  private readonly payloadLimit: number;

  constructor(opts: FrameDecoderOptions = {}) {
    this.payloadLimit = opts.payloadLimit ?? DEFAULT_PAYLOAD;
  }

  /** Bytes received but not yet part of a returned frame. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * Adds `data` and returns every frame now complete, in order. Throws BadFrameError or
   * PayloadTooLargeError as soon as a header shows the stream is not (or no longer) dubbo.
   */
  push(data: Buffer): Frame[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const frames: Frame[] = [];
    // A large body arrives in many reads: do not re-concatenate it on each one.
    if (this.buffered < this.needed) return frames;
    this.needed = 0;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let offset = 0;
    while (buf.length - offset >= 2) {
      if (buf[offset] !== MAGIC_HIGH || buf[offset + 1] !== MAGIC_LOW)
        throw new BadFrameError(`bad magic 0x${buf.subarray(offset, offset + 2).toString('hex')}`, {
          offset,
          head: buf.subarray(offset, offset + 16).toString('hex'),
        });
      if (buf.length - offset < HEADER_LENGTH) break;
      const flags = buf[offset + 2]!;
      const bodyLength = buf.readInt32BE(offset + 12);
      if (bodyLength < 0) throw new BadFrameError(`negative body length ${bodyLength}`);
      if (bodyLength > this.payloadLimit) throw new PayloadTooLargeError(bodyLength, this.payloadLimit);
      const serializationId = flags & SERIALIZATION_MASK;
      const event = (flags & FLAG_EVENT) !== 0;
      if (serializationId !== HESSIAN2_SERIALIZATION_ID && !event)
        throw new BadFrameError(`serialization id ${serializationId} is not hessian2 (2)`);
      const end = offset + HEADER_LENGTH + bodyLength;
      if (buf.length < end) {
        this.needed = end - offset;
        break;
      }
      frames.push({
        isRequest: (flags & FLAG_REQUEST) !== 0,
        twoWay: (flags & FLAG_TWOWAY) !== 0,
        event,
        serializationId,
        status: buf[offset + 3]!,
        requestId: readRequestId(buf, offset + 4),
        body: buf.subarray(offset + HEADER_LENGTH, end),
      });
      offset = end;
    }
    if (offset === buf.length) {
      this.chunks = [];
      this.buffered = 0;
    } else if (offset > 0 || this.chunks.length > 1) {
      buf = buf.subarray(offset);
      this.chunks = [buf];
      this.buffered = buf.length;
    }
    return frames;
  }
}
