import { describe, expect, it } from 'vitest';
import { InvisibilityLease, renewalPeriodMs, type LeaseTimers } from './invisibility-lease.js';

/** Timers driven by hand: `advance` fires what is due. */
function manualTimers() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  const api: LeaseTimers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = async (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers = timers.filter((t) => t.at > now);
    for (const t of due) t.fn();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { api, advance, pending: () => timers.length };
}

describe('InvisibilityLease', () => {
  it('renews at two thirds of the invisible duration, for as long as it is held', async () => {
    expect(renewalPeriodMs(30_000)).toBe(20_000);
    const t = manualTimers();
    let renewals = 0;
    const lease = new InvisibilityLease(
      () => Promise.resolve(void renewals++),
      20_000,
      () => undefined,
      t.api,
    );
    await t.advance(19_999);
    expect(renewals).toBe(0);
    await t.advance(1);
    expect(renewals).toBe(1);
    await t.advance(20_000);
    await t.advance(20_000);
    expect(lease.renewals).toBe(3);
    await lease.end();
    await t.advance(60_000);
    expect(renewals).toBe(3);
    expect(t.pending()).toBe(0);
  });

  it('end() waits for a renewal in flight, whose new receipt handle the ack needs', async () => {
    const t = manualTimers();
    let finish!: () => void;
    const lease = new InvisibilityLease(
      () => new Promise<void>((r) => (finish = r)),
      100,
      () => undefined,
      t.api,
    );
    await t.advance(100);
    let ended = false;
    const ending = lease.end().then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    finish();
    await ending;
    expect(lease.renewals).toBe(1);
  });

  it('reports a failed renewal and stops renewing a handle that no longer works', async () => {
    const t = manualTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const lease = new InvisibilityLease(
      () => {
        calls++;
        return Promise.reject(new Error('receipt handle expired'));
      },
      100,
      (e) => errors.push(e),
      t.api,
    );
    await t.advance(100);
    await t.advance(100);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    await lease.end();
  });
});
