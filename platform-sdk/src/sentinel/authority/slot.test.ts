import { describe, expect, it } from 'vitest';
import { isSilkError } from '../../core/index.js';
import { ManualClock } from '../core/clock.js';
import { createSentinel } from '../sentinel.js';

function setup(rules: unknown[]) {
  const sentinel = createSentinel({ clock: new ManualClock(0) });
  const result = sentinel.authorityRules.loadRules(rules);
  const from = (origin?: string): string => {
    const r = sentinel.entry('r', origin === undefined ? undefined : { origin });
    if (!r.blocked) r.exit();
    return r.blocked ? r.kind : 'pass';
  };
  return { sentinel, result, from };
}

describe('authority rules', () => {
  it('a white list admits only the origins it names, exactly', () => {
    const { from } = setup([{ resource: 'r', limitApp: 'appA,appB', strategy: 0 }]);
    expect(from('appA')).toBe('pass');
    expect(from('appB')).toBe('pass');
    expect(from('appC')).toBe('authority');
    expect(from('app')).toBe('authority'); // a substring of the list is not a member
    expect(from()).toBe('pass'); // no origin: not checked
  });

  it('a black list refuses the origins it names', () => {
    const { from } = setup([{ resource: 'r', limitApp: 'appA', strategy: 1 }]);
    expect(from('appA')).toBe('authority');
    expect(from('appB')).toBe('pass');
  });

  it('report the refused origin as the block limitApp, as Java does', () => {
    const { sentinel } = setup([{ resource: 'r', limitApp: 'appA,appB', strategy: 1 }]);
    const r = sentinel.entry('r', { origin: 'appB' });
    expect(r.blocked && [r.kind, r.limitApp]).toEqual(['authority', 'appB']);
  });

  it('a block becomes a 429 with the authority code in the async wrapper', async () => {
    const { sentinel } = setup([{ resource: 'r', limitApp: 'appA', strategy: 1 }]);
    const call = sentinel.wrap('r', () => 'ok', { origin: 'appA' });
    const err = await call().catch((e: unknown) => e);
    expect(isSilkError(err) && [err.code, err.statusCode, err.retryable]).toEqual([
      'SILK_SENTINEL_AUTHORITY_BLOCKED',
      429,
      false,
    ]);
  });

  it('rejects rules without a limitApp list or with an unknown strategy', () => {
    const { result } = setup([
      { resource: 'r', strategy: 0 },
      { resource: 'r', limitApp: 'a', strategy: 2 },
      { resource: 'r', limitApp: 'a' },
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1]);
    expect(result.rules).toEqual([expect.objectContaining({ strategy: 0, limitApp: 'a' })]);
  });
});
