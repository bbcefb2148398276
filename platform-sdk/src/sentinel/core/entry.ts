/**
 * An admitted invocation (Java: CtEntry). Call `exit()` exactly once when the work is done —
 * in a `finally` — so rt, success and concurrency are recorded; call `setError(err)` before
 * exit when the work failed, so exception counts and error-based breakers see it. A second
 * `exit()` is ignored.
 *
 * `waitMs` > 0 means a rate-limiting rule queued this request: the caller must wait that long
 * before doing the work (Java sleeps the thread inside `entry`; an event loop cannot).
 */
import type { Context } from './context.js';
import type { DefaultNode } from './nodes.js';
import type { ResourceWrapper } from './resource.js';
import type { BlockResult } from './rule.js';
import type { SlotChain } from './slot-chain.js';
import type { StatisticNode } from './statistic-node.js';
import type { EntryType } from '../constants.js';

/** Something that must hear when an entry ends, blocked or not (Java: whenTerminate). */
export interface TerminateHandler {
  onEntryTerminated(entry: Entry): void;
}

export class Entry {
  readonly resource: ResourceWrapper;
  readonly context: Context;
  /** The DefaultNode of (resource, context); null when the entry is not checked. */
  readonly node: DefaultNode | null;
  /** The origin's node under the resource's ClusterNode; null for an empty origin. */
  readonly originNode: StatisticNode | null;
  readonly entryType: EntryType;
  readonly batchCount: number;
  readonly args: readonly unknown[] | undefined;
  readonly createTimestamp: number;
  completeTimestamp = 0;
  /** How long a rate limiter asks this request to wait before it proceeds. */
  waitMs = 0;
  /** The traced business error, if any. */
  error: unknown = undefined;
  /** Set while the chain runs if a later slot blocks; never seen on a returned Entry. */
  blockError: BlockResult | null = null;
  terminateHandlers: TerminateHandler[] | null = null;
  readonly #chain: SlotChain | null;
  #exited = false;

  constructor(
    chain: SlotChain | null,
    resource: ResourceWrapper,
    context: Context,
    node: DefaultNode | null,
    originNode: StatisticNode | null,
    entryType: EntryType,
    batchCount: number,
    args: readonly unknown[] | undefined,
    createTimestamp: number,
  ) {
    this.#chain = chain;
    this.resource = resource;
    this.context = context;
    this.node = node;
    this.originNode = originNode;
    this.entryType = entryType;
    this.batchCount = batchCount;
    this.args = args;
    this.createTimestamp = createTimestamp;
  }

  /** Discriminates an Entry from a BlockResult. */
  get blocked(): false {
    return false;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /**
   * Records `err` as this invocation's error (Java: Tracer.traceEntry), unless the engine's
   * exception predicate says not to trace it. Block errors are never traced.
   */
  setError(err: unknown): void {
    if (this.#chain === null || this.#chain.shouldTrace(err)) this.error = err;
  }

  exit(): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#chain?.exit(this);
  }

  addTerminateHandler(handler: TerminateHandler): void {
    (this.terminateHandlers ??= []).push(handler);
  }
}
