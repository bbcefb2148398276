import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import { blockResult, type BlockKind } from './core/rule.js';
import { isBlockError } from './core/slot-chain.js';
import type { SentinelError } from './errors.js';
import {
  AuthorityBlockedError,
  DegradeBlockedError,
  FlowBlockedError,
  ParamFlowBlockedError,
  SENTINEL_ERROR_CODES,
  SentinelBlockError,
  SentinelRuleInvalidError,
  SentinelRuleSourceError,
  SystemBlockedError,
  blockErrorOf,
} from './errors.js';

const rule = { resource: 'orders', limitApp: 'default', regex: false };
const block = (kind: BlockKind) => blockResult(kind, 'orders', rule, kind === 'system' ? 'qps' : undefined);

describe('sentinel error catalogue', () => {
  const samples: SentinelError[] = [
    new FlowBlockedError(block('flow')),
    new DegradeBlockedError(block('degrade')),
    new SystemBlockedError(block('system')),
    new AuthorityBlockedError(block('authority')),
    new ParamFlowBlockedError(block('param-flow')),
    new SentinelRuleInvalidError('flow', 3, 'count must be >= 0', { resource: 'orders', count: -1 }),
    new SentinelRuleSourceError('file /x.json', 'flow', new Error('ENOENT')),
  ];

  it('has one class per code, every code SILK_SENTINEL_*, and no code unused', () => {
    expect(samples.map((e) => e.code).sort()).toEqual(Object.keys(SENTINEL_ERROR_CODES).sort());
    for (const [key, value] of Object.entries(SENTINEL_ERROR_CODES)) {
      expect(key).toBe(value);
      expect(value).toMatch(/^SILK_SENTINEL_[A-Z_]+$/);
    }
  });

  it('are SilkErrors with a name and details', () => {
    for (const err of samples) {
      expect(isSilkError(err)).toBe(true);
      expect(err.name).toBe(err.constructor.name);
      expect(Object.keys(err.details).length).toBeGreaterThan(0);
    }
  });

  it('answer every block with 429, carry the block, and are recognised as block errors', () => {
    for (const kind of ['flow', 'degrade', 'system', 'authority', 'param-flow'] as const) {
      const err = blockErrorOf(block(kind));
      expect(err).toBeInstanceOf(SentinelBlockError);
      expect(err.statusCode).toBe(429);
      expect(err.block.kind).toBe(kind);
      expect(isBlockError(err)).toBe(true);
    }
    expect(blockErrorOf(block('flow')).code).toBe('SILK_SENTINEL_FLOW_BLOCKED');
    expect(blockErrorOf(block('param-flow')).code).toBe('SILK_SENTINEL_PARAM_FLOW_BLOCKED');
    expect(isBlockError(new Error('x'))).toBe(false);
  });

  it('marks what retrying can fix', () => {
    expect(new FlowBlockedError(block('flow')).retryable).toBe(true);
    expect(new AuthorityBlockedError(block('authority')).retryable).toBe(false);
    expect(new SentinelRuleInvalidError('flow', 0, 'r', {}).retryable).toBe(false);
    expect(new SentinelRuleSourceError('s', 'flow', null).retryable).toBe(true);
  });
});
