/**
 * The Sentinel error catalogue. `entry()` never throws for a block — it returns a
 * BlockResult — so these errors appear only where a block must become an exception (the async
 * wrapper, adapters) and where rules are rejected. Every block error answers HTTP 429, as
 * Sentinel's default web block handler does, and carries the BlockResult.
 */
import { SilkError, type SilkErrorOptions } from '../core/index.js';
import { BLOCK_ERROR_BRAND } from './core/slot-chain.js';
import type { BlockKind, BlockResult } from './core/rule.js';

export const SENTINEL_ERROR_CODES = {
  SILK_SENTINEL_FLOW_BLOCKED: 'SILK_SENTINEL_FLOW_BLOCKED',
  SILK_SENTINEL_DEGRADE_BLOCKED: 'SILK_SENTINEL_DEGRADE_BLOCKED',
  SILK_SENTINEL_SYSTEM_BLOCKED: 'SILK_SENTINEL_SYSTEM_BLOCKED',
  SILK_SENTINEL_AUTHORITY_BLOCKED: 'SILK_SENTINEL_AUTHORITY_BLOCKED',
  SILK_SENTINEL_PARAM_FLOW_BLOCKED: 'SILK_SENTINEL_PARAM_FLOW_BLOCKED',
  SILK_SENTINEL_RULE_INVALID: 'SILK_SENTINEL_RULE_INVALID',
  SILK_SENTINEL_RULE_SOURCE_FAILED: 'SILK_SENTINEL_RULE_SOURCE_FAILED',
} as const;

export type SentinelErrorCode = keyof typeof SENTINEL_ERROR_CODES;

/** Base of every Sentinel error, so callers can catch the capability as a whole. */
export class SentinelError extends SilkError {
  constructor(code: SentinelErrorCode, message: string, options: SilkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A request refused by a rule (Java: BlockException). */
export class SentinelBlockError extends SentinelError {
  readonly block: BlockResult;

  constructor(code: SentinelErrorCode, block: BlockResult, what: string, retryable: boolean) {
    super(
      code,
      `resource "${block.resource}" was blocked by a Sentinel ${what} rule` +
        (block.detail === undefined ? '' : ` (${block.detail})`) +
        ` for limitApp "${block.limitApp}"; ` +
        (retryable ? 'retry later or raise the rule threshold' : 'the caller is not allowed by the rule'),
      {
        retryable,
        statusCode: 429,
        details: {
          resource: block.resource,
          kind: block.kind,
          limitApp: block.limitApp,
          detail: block.detail,
        },
      },
    );
    this.block = block;
    Object.defineProperty(this, BLOCK_ERROR_BRAND, { value: true });
  }
}

export class FlowBlockedError extends SentinelBlockError {
  constructor(block: BlockResult) {
    super('SILK_SENTINEL_FLOW_BLOCKED', block, 'flow', true);
  }
}

export class DegradeBlockedError extends SentinelBlockError {
  constructor(block: BlockResult) {
    super('SILK_SENTINEL_DEGRADE_BLOCKED', block, 'circuit breaker (degrade)', true);
  }
}

export class SystemBlockedError extends SentinelBlockError {
  constructor(block: BlockResult) {
    super('SILK_SENTINEL_SYSTEM_BLOCKED', block, 'system', true);
  }
}

export class AuthorityBlockedError extends SentinelBlockError {
  constructor(block: BlockResult) {
    super('SILK_SENTINEL_AUTHORITY_BLOCKED', block, 'authority', false);
  }
}

export class ParamFlowBlockedError extends SentinelBlockError {
  constructor(block: BlockResult) {
    super('SILK_SENTINEL_PARAM_FLOW_BLOCKED', block, 'hot-parameter flow', true);
  }
}

/** The coded error for a block result, for adapters that answer with an error. */
export function blockErrorOf(block: BlockResult): SentinelBlockError {
  const kind: BlockKind = block.kind;
  switch (kind) {
    case 'flow':
      return new FlowBlockedError(block);
    case 'degrade':
      return new DegradeBlockedError(block);
    case 'system':
      return new SystemBlockedError(block);
    case 'authority':
      return new AuthorityBlockedError(block);
    case 'param-flow':
      return new ParamFlowBlockedError(block);
  }
}

/** A rule that fails validation; reported for that rule alone, the others still load. */
export class SentinelRuleInvalidError extends SentinelError {
  constructor(kind: string, index: number, reason: string, rule: unknown) {
    const resource =
      typeof rule === 'object' && rule !== null ? (rule as Record<string, unknown>).resource : undefined;
    super(
      'SILK_SENTINEL_RULE_INVALID',
      `${kind} rule #${index}` +
        (typeof resource === 'string' ? ` for resource "${resource}"` : '') +
        ` was rejected: ${reason}; fix it in the rule source, the other rules are in force`,
      { details: { kind, index, reason, rule } },
    );
  }
}

/** A rule source could not be read or watched; the last good rules stay in force. */
export class SentinelRuleSourceError extends SentinelError {
  constructor(source: string, kind: string, cause: unknown) {
    super(
      'SILK_SENTINEL_RULE_SOURCE_FAILED',
      `reading ${kind} rules from ${source} failed; the last loaded rules stay in force until it recovers`,
      { cause, retryable: true, details: { source, kind } },
    );
  }
}
