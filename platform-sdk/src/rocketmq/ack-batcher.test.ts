import { describe, expect, it } from 'vitest';
import { AckBatcher, type AckEntry, type AckOutcome } from './ack-batcher.js';

function harness(answer: (entries: readonly AckEntry[]) => Promise<readonly AckOutcome[]>, maxBatch = 32) {
  const sent: { key: string; ids: string[] }[] = [];
  const queued: (() => void)[] = [];
  const batcher = new AckBatcher<string>({
    maxBatch,
    schedule: (f) => queued.push(f),
    send: (key, entries) => {
      sent.push({ key, ids: entries.map((e) => e.messageId) });
      return answer(entries);
    },
  });
  const tick = () => queued.splice(0).forEach((f) => f());
  const ack = (key: string, id: string) =>
    batcher.ack(key, key, { messageId: id, receiptHandle: `rh-${id}` });
  return { batcher, sent, tick, ack };
}

const allOk = (entries: readonly AckEntry[]) => Promise.resolve(entries.map(() => undefined));

describe('AckBatcher', () => {
  it('sends the acks of one turn in one request per proxy and topic', async () => {
    const h = harness(allOk);
    const done = [h.ack('a', 'm1'), h.ack('a', 'm2'), h.ack('b', 'm3'), h.ack('a', 'm4')];
    expect(h.sent).toEqual([]);
    h.tick();
    await Promise.all(done);
    expect(h.sent).toEqual([
      { key: 'a', ids: ['m1', 'm2', 'm4'] },
      { key: 'b', ids: ['m3'] },
    ]);
  });

  it('sends a full batch at once and starts a new one for the rest', async () => {
    const h = harness(allOk, 2);
    const done = [h.ack('a', 'm1'), h.ack('a', 'm2'), h.ack('a', 'm3')];
    expect(h.sent).toEqual([{ key: 'a', ids: ['m1', 'm2'] }]);
    h.tick();
    await Promise.all(done);
    expect(h.sent).toEqual([
      { key: 'a', ids: ['m1', 'm2'] },
      { key: 'a', ids: ['m3'] },
    ]);
  });

  it('fails only the entry the proxy refused, and every entry of a failed call', async () => {
    const refused = harness((entries) =>
      Promise.resolve(
        entries.map((e) => (e.messageId === 'm2' ? new Error('invalid receipt handle') : undefined)),
      ),
    );
    const r = [refused.ack('a', 'm1'), refused.ack('a', 'm2')];
    refused.tick();
    await expect(r[0]).resolves.toBeUndefined();
    await expect(r[1]).rejects.toThrow('invalid receipt handle');

    const down = harness(() => Promise.reject(new Error('UNAVAILABLE')));
    const d = [down.ack('a', 'm1'), down.ack('a', 'm2')];
    down.tick();
    await expect(d[0]).rejects.toThrow('UNAVAILABLE');
    await expect(d[1]).rejects.toThrow('UNAVAILABLE');
  });

  it('settled() flushes what is queued and waits for requests in flight', async () => {
    let release!: () => void;
    const h = harness((entries) => new Promise((r) => (release = () => r(entries.map(() => undefined)))));
    const acked = h.ack('a', 'm1');
    const settled = h.batcher.settled();
    expect(h.sent).toHaveLength(1);
    let finished = false;
    void settled.then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    release();
    await settled;
    await expect(acked).resolves.toBeUndefined();
  });
});
