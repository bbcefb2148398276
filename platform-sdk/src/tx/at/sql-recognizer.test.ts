import { describe, expect, it } from 'vitest';
import { recognize } from './sql-recognizer.js';

describe('AT SQL recognizer', () => {
  it('splits UPDATE parameters between SET and WHERE', () => {
    expect(recognize('UPDATE account SET money = money - ? WHERE user_id = ?', [5, 'U1'])).toEqual({
      kind: 'update',
      table: 'account',
      where: '`user_id` = ?',
      whereParams: ['U1'],
      setColumns: ['money'],
    });
  });

  it('reads DELETE with IN and INSERT rows with literals and parameters', () => {
    expect(recognize('DELETE FROM t WHERE id IN (?, ?)', [1, 2])).toMatchObject({ kind: 'delete', whereParams: [1, 2] });
    const ins = recognize('INSERT INTO t (id, a) VALUES (?, ?), (3, NOW())', [1, 'x']);
    expect(ins).toEqual({
      kind: 'insert',
      table: 't',
      columns: ['id', 'a'],
      rows: [
        [
          { kind: 'value', value: 1 },
          { kind: 'value', value: 'x' },
        ],
        [{ kind: 'value', value: 3 }, { kind: 'expr' }],
      ],
    });
  });

  it('finds the WHERE of SELECT ... FOR UPDATE and lets plain SELECT through', () => {
    expect(recognize('SELECT money FROM account WHERE user_id = ? FOR UPDATE', ['U1'])).toEqual({
      kind: 'select-for-update',
      table: 'account',
      where: '`user_id` = ?',
      whereParams: ['U1'],
    });
    expect(recognize('SELECT * FROM account WHERE id = 1')).toEqual({ kind: 'plain' });
  });

  it.each([
    ['UPDATE a JOIN b ON a.id = b.id SET a.x = 1 WHERE b.y = 2', 'single-table'],
    ['UPDATE t SET a = 1', 'without WHERE'],
    ['DELETE FROM t WHERE id IN (SELECT id FROM u)', 'subqueries'],
    ['UPDATE t SET a = 1 WHERE id = 1 LIMIT 1', 'LIMIT'],
    ['INSERT INTO t SELECT * FROM u', 'VALUES'],
    ['INSERT INTO t (id) VALUES (1) ON DUPLICATE KEY UPDATE id = 2', 'ON DUPLICATE'],
    ['REPLACE INTO t VALUES (1)', 'REPLACE'],
    ['TRUNCATE t', 'TRUNCATE'],
    ['UPDATE t SET a = 1 WHERE id = 1; DELETE FROM t WHERE id = 2', 'several statements'],
    ['UPDAT t SET', 'parser'],
  ])('refuses %s', (sql, reason) => {
    expect(() => recognize(sql)).toThrow(expect.objectContaining({ code: 'SILK_TX_UNSUPPORTED_SQL' }));
    try {
      recognize(sql);
    } catch (err) {
      expect(String((err as { details: { reason: string } }).details.reason)).toContain(reason);
    }
  });
});
