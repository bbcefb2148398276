import { describe, expect, it } from 'vitest';
import { numberPlaceholders, restorePlaceholders } from './sql-text.js';

describe('placeholder numbering', () => {
  it('numbers ? outside strings, names and comments', () => {
    const n = numberPlaceholders("SELECT '?', `a?`, \"it''s?\" FROM t WHERE a = ? -- why?\nAND b IN (?, ?) /* ? */ # ?");
    expect(n.count).toBe(3);
    expect(n.text).toContain("'?'");
    expect(n.text).toContain('a = :silk_p0');
    expect(n.text).toContain('IN (:silk_p1, :silk_p2)');
    expect(n.text).toContain('/* ? */');
  });

  it('handles backslash escapes in strings', () => {
    expect(numberPlaceholders("SELECT 'a\\'?' , ?").count).toBe(1);
  });

  it('restores ? and reports the parameter order of the rewritten text', () => {
    expect(restorePlaceholders('x = :silk_p2 AND y = :silk_p0 LIMIT :silk_p10')).toEqual({
      sql: 'x = ? AND y = ? LIMIT ?',
      order: [2, 0, 10],
    });
  });
});
