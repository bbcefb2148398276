import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, currentContext, currentXid, runWithContext, withContext } from './index.js';

describe('request context', () => {
  it('is undefined outside a request and follows async work inside one', async () => {
    expect(currentContext()).toBeUndefined();
    await runWithContext({ xid: '127.0.0.1:8091:1', origin: 'order-service' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(currentXid()).toBe('127.0.0.1:8091:1');
      expect(currentContext()?.origin).toBe('order-service');
    });
    expect(currentContext()).toBeUndefined();
  });

  it('extends without leaking into the outer scope or concurrent requests', async () => {
    const seen: (string | undefined)[] = [];
    await Promise.all(
      ['a', 'b'].map((app) =>
        runWithContext({ callerApp: app }, async () => {
          await withContext({ xid: `x-${app}` }, async () => {
            await new Promise((r) => setTimeout(r, 2));
            seen.push(`${currentContext()?.callerApp}:${currentXid()}`);
          });
          seen.push(`${app}-after:${currentXid()}`);
        }),
      ),
    );
    expect(seen.sort()).toEqual(['a-after:undefined', 'a:x-a', 'b-after:undefined', 'b:x-b']);
  });

  it('uses the wire names of the Java side', () => {
    expect(CONTEXT_KEYS.xid).toBe('TX_XID');
    expect(CONTEXT_KEYS.traceparent).toBe('traceparent');
  });
});
