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

export function writeHeader(target: Buffer, h: FrameHeader, bodyLength: number, offset = 0): void {
  target[offset] = MAGIC_HIGH;
  target[offset + 1] = MAGIC_LOW;
  target[offset + 2] =
    (h.serializationId & SERIALIZATION_MASK) |
    (h.isRequest ? FLAG_REQUEST : 0) |
    (h.isRequest && h.twoWay ? FLAG_TWOWAY : 0) |
    (h.event ? FLAG_EVENT : 0);
  target[offset + 3] = h.isRequest ? 0 : h.status;
  target.writeBigInt64BE(h.requestId, offset + 4);
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
    requestId: buf.readBigInt64BE(offset + 4),
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
      const header = readHeader(buf, offset);
      if (header.bodyLength < 0) throw new BadFrameError(`negative body length ${header.bodyLength}`);
      if (header.bodyLength > this.payloadLimit)
        throw new PayloadTooLargeError(header.bodyLength, this.payloadLimit);
      if (header.serializationId !== HESSIAN2_SERIALIZATION_ID && !header.event)
        throw new BadFrameError(`serialization id ${header.serializationId} is not hessian2 (2)`);
      const end = offset + HEADER_LENGTH + header.bodyLength;
      if (buf.length < end) {
        this.needed = end - offset;
        break;
      }
      const { bodyLength: _len, ...h } = header;
      frames.push({ ...h, body: buf.subarray(offset + HEADER_LENGTH, end) });
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
