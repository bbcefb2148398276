/**
 * How long a failed message stays invisible before the broker hands it out again. The defaults
 * are the broker's own for a consumer group (CustomizedRetryPolicy: 1s 5s 10s 30s 1m ... 2h, the
 * old delay levels minus the first two), so a Silk consumer backs off as a Java consumer of the
 * same group would. After the group's `retryMaxTimes` (16) redeliveries the proxy moves the
 * message to the group's dead-letter topic `%DLQ%<group>` instead of delivering it again.
 */
import { MqOptionsError } from './errors.js';

export type BackoffPolicy =
  | { kind: 'customized'; nextMs: readonly number[] }
  | { kind: 'exponential'; initialMs: number; maxMs: number; multiplier: number };

const S = 1000;
const M = 60 * S;

export const DEFAULT_BACKOFF: BackoffPolicy = {
  kind: 'customized',
  nextMs: [
    S,
    5 * S,
    10 * S,
    30 * S,
    M,
    2 * M,
    3 * M,
    4 * M,
    5 * M,
    6 * M,
    7 * M,
    8 * M,
    9 * M,
    10 * M,
    20 * M,
    30 * M,
    60 * M,
    120 * M,
  ],
};

/** The delay before delivery `attempt + 1`, after delivery `attempt` (1-based) failed. */
export function retryDelayMs(policy: BackoffPolicy, attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  switch (policy.kind) {
    case 'customized':
      return policy.nextMs[Math.min(n, policy.nextMs.length) - 1] ?? 0;
    case 'exponential':
      return Math.min(policy.maxMs, Math.round(policy.initialMs * policy.multiplier ** (n - 1)));
  }
}

export function validateBackoff(client: string, policy: BackoffPolicy): void {
  const bad = (why: string) => new MqOptionsError(client, 'backoff', JSON.stringify(policy), why);
  switch (policy.kind) {
    case 'customized':
      if (policy.nextMs.length === 0 || policy.nextMs.some((d) => !(d >= 0 && Number.isFinite(d)))) {
        throw bad('a non-empty list of delays >= 0 ms');
      }
      return;
    case 'exponential':
      if (!(policy.initialMs >= 0 && policy.maxMs >= policy.initialMs && policy.multiplier >= 1)) {
        throw bad('initialMs >= 0, maxMs >= initialMs and multiplier >= 1');
      }
  }
}
