import { describe, expect, it } from 'vitest';
import {
  countParameters,
  decodeRequest,
  decodeResponse,
  encodeHeartbeat,
  encodeHeartbeatResponse,
  encodeRequest,
  encodeResponse,
  prepareRequest,
  type RpcInvocation,
} from './codec.js';
import { DEFAULT_PAYLOAD, STATUS, intVersion, isSupportResponseAttachment } from './constants.js';
import { BadFrameError, DubboCodecError, PayloadTooLargeError } from './errors.js';
import { FrameDecoder, readHeader } from './frame.js';
import { parseJavaType, toJava } from './java-types.js';
import { JavaThrowable } from './java-values.js';

const inv: RpcInvocation = {
  dubboVersion: '2.0.2',
  path: 'dev.silk.interop.dubbo.TypeMatrixService',
  version: '1.0.0',
  method: 'addLong',
  parameterTypesDesc: 'JJ',
  args: [9007199254740992n, 1],
  attachments: { path: 'dev.silk.interop.dubbo.TypeMatrixService', TX_XID: 'xid-1', timeout: '3000' },
};

describe('dubbo frames', () => {
  it('writes the 16-byte header as ExchangeCodec does', () => {
    const f = encodeRequest(0x0102030405060708n, inv);
    expect(f.subarray(0, 4).toString('hex')).toBe('dabbc200'); // magic, request|two-way|hessian2
    expect(f.readBigInt64BE(4)).toBe(0x0102030405060708n);
    expect(f.readInt32BE(12)).toBe(f.length - 16);
    expect(encodeRequest(1n, inv, false)[2]).toBe(0x82);
    const r = encodeResponse(7n, { kind: 'value', value: 'x', attachments: {} }, '2.0.2');
    expect(r.subarray(0, 4).toString('hex')).toBe('dabb0214'); // response, hessian2, status 20
  });

  it('carries request ids across the whole int64 range', () => {
    const ids = [0n, 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, -1n, -(2n ** 63n), 2n ** 63n - 1n];
    const frames = new FrameDecoder().push(Buffer.concat(ids.map((id) => encodeHeartbeat(id))));
    expect(frames.map((f) => f.requestId)).toEqual(ids);
    expect(ids.map((id) => readHeader(encodeHeartbeatResponse(id)).requestId)).toEqual(ids);
  });

  it('writes heartbeats as events with a Hessian null body', () => {
    expect(encodeHeartbeat(5n).toString('hex')).toBe('dabbe2000000000000000005000000014e');
    expect(encodeHeartbeatResponse(5n).toString('hex')).toBe('dabb2214000000000000000500000001' + '4e');
  });

  it('reassembles frames split at every byte and frames coalesced in one read', () => {
    const a = encodeRequest(1n, inv);
    const b = encodeHeartbeat(2n);
    const c = encodeResponse(3n, { kind: 'value', value: [1, 2], attachments: {} }, '2.0.2');
    const all = Buffer.concat([a, b, c]);
    const dec = new FrameDecoder();
    const got = [];
    for (let i = 0; i < all.length; i++) got.push(...dec.push(all.subarray(i, i + 1)));
    expect(got.map((f) => f.requestId)).toEqual([1n, 2n, 3n]);
    expect(dec.pending).toBe(0);
    const once = new FrameDecoder().push(all);
    expect(once.map((f) => [f.requestId, f.isRequest, f.event])).toEqual([
      [1n, true, false],
      [2n, true, true],
      [3n, false, false],
    ]);
    expect(decodeRequest(once[0]!.body)).toEqual(inv);
  });

  it('rejects bad magic, negative and oversized lengths before reading a body', () => {
    expect(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(BadFrameError);
    const huge = Buffer.from(encodeHeartbeat(1n).subarray(0, 16));
    huge.writeInt32BE(DEFAULT_PAYLOAD + 1, 12);
    expect(() => new FrameDecoder().push(huge)).toThrow(PayloadTooLargeError);
    huge.writeInt32BE(-1, 12);
    expect(() => new FrameDecoder().push(huge)).toThrow(BadFrameError);
    const notHessian = Buffer.from(encodeRequest(1n, inv));
    notHessian[2] = 0xc0 | 23; // fastjson2
    expect(() => new FrameDecoder().push(notHessian)).toThrow(BadFrameError);
    const good = encodeHeartbeat(9n);
    const dec = new FrameDecoder({ payloadLimit: 16 });
    expect(dec.push(good)).toHaveLength(1);
    // Half a header is "need more bytes", not an error.
    expect(dec.push(good.subarray(0, 10))).toEqual([]);
    expect(dec.push(good.subarray(10))).toHaveLength(1);
  });

  it('gathers a large body without losing bytes', () => {
    const big = encodeRequest(4n, {
      ...inv,
      method: 'echo',
      parameterTypesDesc: 'Ljava/lang/String;',
      args: ['y'.repeat(3_000_000)],
    });
    const dec = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < big.length; i += 65536) frames.push(...dec.push(big.subarray(i, i + 65536)));
    expect(frames).toHaveLength(1);
    expect(decodeRequest(frames[0]!.body).args[0]).toHaveLength(3_000_000);
  });
});

describe('dubbo bodies', () => {
  it('frames a prepared request once per attempt, each with its id, arguments as declared', () => {
    const long = parseJavaType('long');
    const p = prepareRequest({ ...inv, args: [9007199254740992n, 1] }, [long, long]);
    const a = p.frameFor(7n);
    const b = p.frameFor(8n);
    expect(b).not.toBe(a);
    expect([readHeader(a).requestId, readHeader(b).requestId]).toEqual([7n, 8n]);
    expect(a.subarray(0, 4).toString('hex')).toBe('dabbc200');
    const typed = { ...inv, args: [toJava('long', 9007199254740992n), toJava('long', 1)] };
    expect(b.subarray(16)).toEqual(encodeRequest(1n, typed).subarray(16));
    expect(a.subarray(16)).toEqual(b.subarray(16));
    expect(decodeRequest(a.subarray(16))).toEqual(inv);
  });

  it('counts parameters in JVM descriptors', () => {
    expect(countParameters('')).toBe(0);
    expect(countParameters('Ljava/lang/String;J[I[[Ljava/util/List;Z')).toBe(5);
    expect(() => countParameters('Ljava/lang/String')).toThrow(DubboCodecError);
    expect(() => countParameters('Q')).toThrow(DubboCodecError);
  });

  it('round-trips every response kind, with and without attachments', () => {
    const ex = new JavaThrowable('java.lang.IllegalArgumentException', 'bad');
    const cases = [
      { kind: 'value', value: 42, attachments: { k: 'v' } },
      { kind: 'value', value: null, attachments: { k: 'v' } },
      { kind: 'exception', exception: ex, attachments: { k: 'v' } },
      { kind: 'value', value: 'x', attachments: {} },
    ] as const;
    for (const c of cases) {
      const frame = new FrameDecoder().push(encodeResponse(1n, c, '2.0.2'))[0]!;
      expect(decodeResponse(frame)).toEqual({ ...c, attachments: { ...c.attachments, dubbo: '2.0.2' } });
      // Callers older than 2.0.2 get the flags without attachments (RESPONSE_VALUE etc.).
      const old = new FrameDecoder().push(encodeResponse(1n, c, '2.0.0'))[0]!;
      expect(decodeResponse(old)).toEqual({ ...c, attachments: {} });
    }
    const status = { kind: 'status', status: STATUS.SERVICE_NOT_FOUND, message: 'no such service' } as const;
    const sframe = new FrameDecoder().push(encodeResponse(1n, status, '2.0.2'))[0]!;
    expect(readHeader(encodeResponse(1n, status, '2.0.2')).status).toBe(60);
    expect(decodeResponse(sframe)).toEqual(status);
  });

  it('compares dubbo versions as Version.isSupportResponseAttachment does', () => {
    expect(intVersion('2.0.2')).toBe(2000200);
    expect(isSupportResponseAttachment('2.0.2')).toBe(true);
    expect(isSupportResponseAttachment('2.0.99')).toBe(true);
    expect(isSupportResponseAttachment('2.0.1')).toBe(false);
    expect(isSupportResponseAttachment('2.1.0')).toBe(false);
    expect(isSupportResponseAttachment(undefined)).toBe(false);
  });

  it('rejects an unknown response flag and a request body cut short', () => {
    const frame = new FrameDecoder().push(
      encodeResponse(1n, { kind: 'value', value: 1, attachments: {} }, '2.0.2'),
    )[0]!;
    const bad = Buffer.from(frame.body);
    bad[0] = 0x99; // flag 9
    expect(() => decodeResponse({ status: 20, body: bad })).toThrow(DubboCodecError);
    const req = new FrameDecoder().push(encodeRequest(1n, inv))[0]!;
    expect(() => decodeRequest(req.body.subarray(0, 20))).toThrow(DubboCodecError);
  });
});
