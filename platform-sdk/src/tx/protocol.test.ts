import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError, MAX_FRAME } from './protocol.js';

describe('TC wire frames', () => {
  it('round-trips frames split at every byte boundary', () => {
    const a = encodeFrame({ id: 1, type: 'GlobalBegin', body: { name: 'place-order', timeoutMs: 1000 } });
    const b = encodeFrame({ id: 1, type: 'Response', body: { xid: '127.0.0.1:8091:42' } });
    const all = Buffer.concat([a, b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(frames).toEqual([
        { id: 1, type: 'GlobalBegin', body: { name: 'place-order', timeoutMs: 1000 } },
        { id: 1, type: 'Response', body: { xid: '127.0.0.1:8091:42' } },
      ]);
    }
  });

  it('writes a big-endian length before the JSON', () => {
    const f = encodeFrame({ id: 7, type: 'Heartbeat', body: {} });
    expect(f.readUInt32BE(0)).toBe(f.length - 4);
    expect(JSON.parse(f.subarray(4).toString())).toEqual({ id: 7, type: 'Heartbeat', body: {} });
  });

  it('refuses an oversized length before buffering it', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX_FRAME + 1);
    expect(() => new FrameDecoder().push(head)).toThrow(FrameError);
  });

  it.each([
    ['not JSON', 'hello'],
    ['not an object', '42'],
    ['no id', '{"type":"Heartbeat"}'],
    ['unknown type', '{"id":1,"type":"DropTables"}'],
  ])('refuses a corrupt frame: %s', (_name, text) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    expect(() => new FrameDecoder().push(Buffer.concat([head, body]))).toThrow(FrameError);
  });

  it('waits for more bytes on an incomplete frame', () => {
    const f = encodeFrame({ id: 3, type: 'Heartbeat', body: {} });
    expect(new FrameDecoder().push(f.subarray(0, f.length - 1))).toEqual([]);
  });
});
