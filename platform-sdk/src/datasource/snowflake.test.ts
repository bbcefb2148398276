import { describe, expect, it } from 'vitest';
import { compose, parseSnowflake, SnowflakeGenerator, SNOWFLAKE_EPOCH, type WorkerIdGrant } from './snowflake.js';

function setup(grant: WorkerIdGrant | undefined = { workerId: 7, notBefore: 0 }) {
  const clock = { now: SNOWFLAKE_EPOCH + 1_000_000, slept: [] as number[] };
  let current: WorkerIdGrant | undefined = grant;
  const gen = new SnowflakeGenerator({
    workerIds: { current: () => current },
    now: () => clock.now,
    sleep: (ms) => {
      clock.slept.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
  });
  return { gen, clock, setGrant: (g: WorkerIdGrant | undefined) => (current = g) };
}

describe('snowflake ids', () => {
  it('lays out time, worker id and sequence as ShardingSphere does', () => {
    const id = compose(SNOWFLAKE_EPOCH + 5, 3, 9);
    expect(id).toBe((5n << 22n) | (3n << 12n) | 9n);
    expect(parseSnowflake(id)).toEqual({ ms: SNOWFLAKE_EPOCH + 5, workerId: 3, sequence: 9 });
  });

  it('counts the sequence within a millisecond and waits for the next when it runs out', async () => {
    const { gen, clock } = setup();
    const ids = [];
    for (let i = 0; i < 4097; i++) ids.push(await gen.nextId());
    expect(new Set(ids).size).toBe(4097);
    expect(parseSnowflake(ids[4095] as bigint).sequence).toBe(4095);
    expect(parseSnowflake(ids[4096] as bigint)).toMatchObject({ sequence: 0, ms: clock.now });
    expect(clock.slept).toEqual([1]);
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
  });

  it('waits out a small clock rollback and refuses a large one', async () => {
    const { gen, clock } = setup();
    const first = await gen.nextId();
    clock.now -= 5;
    const second = await gen.nextId();
    expect(second > first).toBe(true);
    expect(clock.slept).toEqual([6]);
    clock.now -= 1000;
    await expect(gen.nextId()).rejects.toMatchObject({ code: 'SILK_ID_CLOCK_BACKWARDS', retryable: true });
  });

  it('issues nothing without a lease, and honours a new worker id notBefore', async () => {
    const { gen, clock, setGrant } = setup();
    setGrant(undefined);
    await expect(gen.nextId()).rejects.toMatchObject({ code: 'SILK_ID_WORKER_UNAVAILABLE' });
    const notBefore = clock.now + 3;
    setGrant({ workerId: 1, notBefore });
    const id = await gen.nextId();
    expect(parseSnowflake(id)).toMatchObject({ workerId: 1, sequence: 0 });
    expect(parseSnowflake(id).ms).toBeGreaterThan(notBefore);
  });
});
