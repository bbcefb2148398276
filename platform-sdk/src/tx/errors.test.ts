import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import type {
  TxError} from './errors.js';
import {
  TX_ERROR_CODES,
  TxBadRequestError,
  TxDirtyWriteError,
  TxLockConflictError,
  TxNoPrimaryKeyError,
  TxNotActiveError,
  TxNotFoundError,
  TxRemoteError,
  TxRolledBackError,
  TxTcUnavailableError,
  TxUnsupportedSqlError,
} from './errors.js';

describe('tx error catalogue', () => {
  const samples: TxError[] = [
    new TxTcUnavailableError('127.0.0.1:8091', new Error('ECONNREFUSED')),
    new TxLockConflictError('x:1:1', 'db^^^t^^^1', 'x:1:2'),
    new TxNotFoundError('x:1:1'),
    new TxNotActiveError('x:1:1', 'Rollbacking'),
    new TxRolledBackError('x:1:1', 'TimeoutRollbacking'),
    new TxUnsupportedSqlError('TRUNCATE t', 'TRUNCATE statements are not supported'),
    new TxNoPrimaryKeyError('db', 't'),
    new TxDirtyWriteError('x:1:1', '2', 't', '1'),
    new TxBadRequestError('xid is required', {}),
  ];

  it('has one class per code (the remote code aside) and every code SILK_TX_*', () => {
    const codes = [...samples.map((e) => e.code), 'SILK_TX_REMOTE'].sort();
    expect(codes).toEqual(Object.keys(TX_ERROR_CODES).sort());
    for (const [k, v] of Object.entries(TX_ERROR_CODES)) {
      expect(k).toBe(v);
      expect(v).toMatch(/^SILK_TX_[A-Z_]+$/);
    }
  });

  it('are SilkErrors with details and a message naming the input', () => {
    for (const e of samples) {
      expect(isSilkError(e)).toBe(true);
      expect(e.name).toBe(e.constructor.name);
      expect(Object.keys(e.details).length).toBeGreaterThan(0);
      expect(e.message.length).toBeGreaterThan(20);
    }
  });

  it('marks what retrying can fix', () => {
    expect(samples[0]!.retryable).toBe(true);
    expect(samples[1]!.retryable).toBe(true);
    expect(new TxDirtyWriteError('x', 'b', 't', '1').retryable).toBe(false);
    expect(new TxUnsupportedSqlError('x', 'y').retryable).toBe(false);
  });

  it("rebuilds a peer's error with the peer's code", () => {
    const e = new TxRemoteError('BranchRegister', { code: 'SILK_TX_LOCK_CONFLICT', message: 'held', retryable: true });
    expect(e.code).toBe('SILK_TX_LOCK_CONFLICT');
    expect(e.retryable).toBe(true);
    expect(new TxRemoteError('X', { code: '', message: 'm' }).code).toBe('SILK_TX_REMOTE');
  });
});
