import { describe, expect, it } from 'vitest';
import { GET_BROKER_CLUSTER_INFO, decodeFrame, encodeRequest } from './rocketmq-namesrv.js';

function frame(header: object, body: string): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const b = Buffer.from(body);
  const out = Buffer.alloc(8 + h.length + b.length);
  out.writeInt32BE(4 + h.length + b.length, 0);
  out.writeUInt32BE(h.length, 4);
  h.copy(out, 8);
  b.copy(out, 8 + h.length);
  return out;
}

describe('RocketMQ remoting frames for the name server check', () => {
  it('encodes a JSON-serialized request whose lengths add up', () => {
    const f = encodeRequest(GET_BROKER_CLUSTER_INFO, 7);
    expect(f.readInt32BE(0)).toBe(f.length - 4);
    expect(f.readUInt8(4)).toBe(0);
    expect(JSON.parse(f.subarray(8).toString())).toMatchObject({
      code: 106,
      opaque: 7,
      serializeTypeCurrentRPC: 'JSON',
    });
  });

  it('waits for a whole frame, then splits header and body', () => {
    const f = frame({ code: 0, opaque: 1 }, '{"brokerAddrTable":{}}');
    expect(decodeFrame(f.subarray(0, 3))).toBeUndefined();
    expect(decodeFrame(f.subarray(0, f.length - 1))).toBeUndefined();
    const r = decodeFrame(f)!;
    expect(r.header.code).toBe(0);
    expect(r.body.toString()).toBe('{"brokerAddrTable":{}}');
  });

  it('refuses frames whose lengths cannot be right', () => {
    const bad = Buffer.alloc(8);
    bad.writeInt32BE(-5, 0);
    expect(() => decodeFrame(bad)).toThrow(/frame length/);
    const lying = frame({ code: 0 }, '');
    lying.writeUInt32BE(0xffff, 4);
    expect(() => decodeFrame(lying)).toThrow(/header length/);
  });
});
