/**
 * The request context: one AsyncLocalStorage scope per inbound request (HTTP, Dubbo, MQ)
 * carrying what must cross every hop — trace ids, the global transaction XID, the calling
 * application and the Sentinel origin. Transports copy it in from their headers, attachments
 * or properties and out again, using the names the Java side uses so the context survives a
 * Java hop in the middle.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Wire names shared with the Java estate. */
export const CONTEXT_KEYS = {
  /** Seata's XID key: HTTP header, Dubbo attachment and RocketMQ user property alike. */
  xid: 'TX_XID',
  /** W3C trace context. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export interface SilkContext {
  traceparent?: string;
  tracestate?: string;
  /** Global transaction id while inside a global transaction. */
  xid?: string;
  /** Name of the application that called us, as it registered itself. */
  callerApp?: string;
  /** Sentinel origin used for `limitApp` and authority rules. */
  origin?: string;
}

const storage = new AsyncLocalStorage<SilkContext>();

/** Runs `fn` inside a fresh context (a copy: the caller's context is never mutated). */
export function runWithContext<T>(ctx: SilkContext, fn: () => T): T {
  return storage.run({ ...ctx }, fn);
}

/** Runs `fn` in the current context extended with `patch`. */
export function withContext<T>(patch: Partial<SilkContext>, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...patch }, fn);
}

/** The current context, or undefined outside any request. Read-only by convention. */
export function currentContext(): Readonly<SilkContext> | undefined {
  return storage.getStore();
}

export function currentXid(): string | undefined {
  return storage.getStore()?.xid;
}
