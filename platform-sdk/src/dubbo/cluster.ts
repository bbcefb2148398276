/**
 * Dubbo's cluster modes (`cluster=`): failover tries another provider after a failure that
 * was not the method's own exception, up to `retries` more times; failfast makes one attempt;
 * failsafe makes one attempt and answers null instead of an error (for calls whose outcome
 * does not matter, such as audit logs).
 */
import { isSilkError } from '../core/index.js';
import { DUBBO_ERROR_CODES, NoProviderError } from './errors.js';
import type { LoadBalance, ProviderAddress, SelectContext } from './load-balance.js';

export type ClusterName = 'failover' | 'failfast' | 'failsafe';

export interface ClusterCall<R> {
  providers: readonly ProviderAddress[];
  loadBalance: LoadBalance;
  select: SelectContext;
  retries: number;
  attempt(p: ProviderAddress): Promise<R>;
  /** Told about an error failsafe swallowed. */
  onSwallowed?(e: unknown): void;
}

/** Whether another provider may succeed where this one failed. */
function worthRetrying(e: unknown): boolean {
  if (!isSilkError(e)) return false;
  return e.retryable || e.code === DUBBO_ERROR_CODES.timeout;
}

export async function invokeCluster<R>(mode: ClusterName, c: ClusterCall<R>): Promise<R | null> {
  if (c.providers.length === 0) throw new NoProviderError(c.select.serviceKey);
  switch (mode) {
    case 'failfast':
      return c.attempt(c.loadBalance.select(c.providers, c.select));
    case 'failsafe':
      try {
        return await c.attempt(c.loadBalance.select(c.providers, c.select));
      } catch (e) {
        c.onSwallowed?.(e);
        return null;
      }
    case 'failover':
      return failover(c);
  }
}

async function failover<R>(c: ClusterCall<R>): Promise<R> {
  const tried = new Set<string>();
  let last: unknown;
  for (let i = 0; i <= c.retries; i++) {
    // Prefer providers not tried yet; when all were, any may be tried again.
    const fresh = c.providers.filter((p) => !tried.has(p.address));
    const p = c.loadBalance.select(fresh.length > 0 ? fresh : c.providers, c.select);
    tried.add(p.address);
    try {
      return await c.attempt(p);
    } catch (e) {
      last = e;
      if (!worthRetrying(e)) throw e;
    }
  }
  throw last;
}
