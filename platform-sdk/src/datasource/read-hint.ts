/**
 * Read/write hints carried by the async context of a request: `withPrimary` pins every read
 * to the primary (ShardingSphere's HintManager.setWriteRouteOnly), and `withReadYourWrites`
 * pins reads to the primary only once the scope has written, so a request sees its own
 * writes while requests that only read keep using replicas.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface ReadHint {
  primaryOnly: boolean;
  wrote: boolean;
}

const storage = new AsyncLocalStorage<ReadHint>();

export function withPrimary<T>(fn: () => T): T {
  return storage.run({ primaryOnly: true, wrote: false }, fn);
}

export function withReadYourWrites<T>(fn: () => T): T {
  return storage.run({ primaryOnly: false, wrote: false }, fn);
}

/** Whether reads in the current scope must go to the primary. */
export function readsPinnedToPrimary(): boolean {
  const hint = storage.getStore();
  return hint !== undefined && (hint.primaryOnly || hint.wrote);
}

/** Called for every write; remembered only inside a withReadYourWrites scope. */
export function markWrite(): void {
  const hint = storage.getStore();
  if (hint) hint.wrote = true;
}
