import { describe, expect, it } from 'vitest';
import { nextTraceparent } from './trace.js';

describe('nextTraceparent', () => {
  it('starts traces with fresh ids, distinct across refills of the random pool', () => {
    const seen = new Set<string>();
    // 4 KiB of random bytes serve ~170 traceparents: 1000 cross several refills.
    for (let i = 0; i < 1000; i++) {
      const tp = nextTraceparent(undefined);
      expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      seen.add(tp.slice(3, 35));
      seen.add(tp.slice(36, 52));
    }
    expect(seen.size).toBe(2000);
  });

  it('keeps the trace id and flags of a valid parent, replacing only the parent id', () => {
    const tp = nextTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
    expect(tp).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
    expect(tp).not.toContain('b7ad6b7169203331');
    expect(nextTraceparent(`00-${'0'.repeat(32)}-b7ad6b7169203331-01`)).not.toContain('0'.repeat(32));
  });
});
