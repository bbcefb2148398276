/**
 * The bus's hearing check, on a fake clock and an in-memory channel: L1 is trusted while its
 * heartbeat probes come back, and dropped and distrusted from the first one that does not.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { HEARTBEAT_MS, InvalidationBus } from './invalidation.js';
import type { RedisClient } from './lua.js';

/** A subscriber whose channel delivers what is published while `hearing` is on. */
function channel() {
  const subscriber = Object.assign(new EventEmitter(), {
    status: 'ready',
    subscribe: () => Promise.resolve(1),
    unsubscribe: () => Promise.resolve(1),
  });
  const state = { hearing: true, published: 0 };
  const publish = (ch: string, message: string): Promise<number> => {
    state.published++;
    if (state.hearing) queueMicrotask(() => subscriber.emit('message', ch, message));
    return Promise.resolve(1);
  };
  return { subscriber: subscriber as unknown as RedisClient, emitter: subscriber, state, publish };
}

function bus() {
  const clock = new FakeClock();
  const ch = channel();
  const drops: string[] = [];
  const b = new InvalidationBus(
    ch.subscriber,
    'silk:cache:x#invalidate',
    'me',
    { onKeys: () => undefined, onAll: (why) => drops.push(why) },
    { warn: () => undefined, error: () => undefined },
    clock,
    ch.publish,
  );
  return { b, clock, ch, drops };
}

describe('InvalidationBus hearing check', () => {
  it('stays trusted while its probes come back', async () => {
    const { b, clock, ch, drops } = bus();
    await b.start();
    await clock.advance(HEARTBEAT_MS * 5);
    expect(ch.state.published).toBe(5);
    expect(b.trusted).toBe(true);
    expect(drops).toEqual([]);
    await b.stop();
  });

  it('goes deaf (L1 dropped, untrusted) when a probe is not heard, and recovers on the next echo', async () => {
    const { b, clock, ch, drops } = bus();
    await b.start();
    await clock.advance(HEARTBEAT_MS);
    ch.state.hearing = false; // the subscription silently died
    await clock.advance(HEARTBEAT_MS * 2);
    expect(b.trusted).toBe(false);
    expect(drops.length).toBeGreaterThan(0);
    ch.state.hearing = true;
    await clock.advance(HEARTBEAT_MS * 2);
    expect(b.trusted).toBe(true);
    await b.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a closed connection or a cluster node change distrusts at once, until a probe is heard', async () => {
    const { b, clock, ch, drops } = bus();
    await b.start();
    ch.emitter.emit('close');
    expect(b.trusted).toBe(false);
    ch.emitter.emit('ready');
    await clock.advance(0);
    expect(b.trusted).toBe(true);
    ch.state.hearing = false;
    ch.emitter.emit('-node');
    await clock.advance(HEARTBEAT_MS);
    expect(b.trusted).toBe(false);
    expect(drops.length).toBeGreaterThanOrEqual(3);
    await b.stop();
  });
  it("a cluster client's subscription connection closing, or replaced between beats, drops L1 at once", async () => {
    const { b, clock, ch, drops } = bus();
    // What ioredis's Cluster holds privately: the connection its subscriptions live on.
    let connection = new EventEmitter();
    Object.assign(ch.emitter, { isCluster: true, subscriber: { getInstance: () => connection } });
    await b.start();
    expect(connection.listenerCount('close')).toBe(1);
    connection.emit('close'); // its node died; the client will subscribe elsewhere by itself
    expect(b.trusted).toBe(false);
    expect(drops).toEqual(['reconnect']);
    await clock.advance(0); // the probe sent on the close comes back (subscribed elsewhere)
    expect(b.trusted).toBe(true);
    // Regaining trust marks reads that began while deaf stale (they may have missed a message).
    expect(drops).toEqual(['reconnect', 'reconnect']);
    // Swapped with no close seen and every probe heard: noticed at the next beat all the same.
    const old = connection;
    connection = new EventEmitter();
    drops.length = 0;
    await clock.advance(HEARTBEAT_MS);
    expect(drops[0]).toBe('reconnect');
    expect(old.listenerCount('close')).toBe(0);
    expect(connection.listenerCount('close')).toBe(1);
    await clock.advance(HEARTBEAT_MS * 2);
    expect(b.trusted).toBe(true);
    await b.stop();
    expect(connection.listenerCount('close')).toBe(0);
  });
});
