/**
 * The slot chain: statistics around an ordered list of rule-checking slots. Java links slots
 * and lets StatisticSlot wrap the checks after it; here the chain does the same in one loop:
 * run the checks in order, stop at the first block, then record pass or block on every node
 * the entry touches (its DefaultNode and so its ClusterNode, its origin node, and the global
 * inbound node for IN entries). On exit it records rt/success/exception and concurrency, then
 * lets slots observe the completion (breakers, hot-parameter concurrency).
 *
 * The order of slots is decided in one place: `default-slot-chain.ts`.
 */
import type { Context } from './context.js';
import type { Entry } from './entry.js';
import type { ClusterNode } from './nodes.js';
import type { BlockResult } from './rule.js';
import type { StatisticNode } from './statistic-node.js';

/** One protection. Implement `entry` to check; `onPass`/`onExit` to observe admitted entries. */
export interface ProcessorSlot {
  readonly name: string;
  /** False while the slot has nothing to do (no rules): the chain then skips it entirely. */
  isActive?(): boolean;
  /** Returns null to let the entry through, or the block. May raise `entry.waitMs`. */
  entry?(context: Context, entry: Entry): BlockResult | null;
  /** Called after every check passed and statistics counted the pass. */
  onPass?(entry: Entry): void;
  /** Called when an admitted entry exits, after statistics recorded its completion. */
  onExit?(entry: Entry): void;
}

type Check = (context: Context, entry: Entry) => BlockResult | null;
type Hook = (entry: Entry) => void;

export class SlotChain {
  readonly slots: readonly ProcessorSlot[];
  #checks: Check[] = [];
  #passHooks: Hook[] = [];
  #exitHooks: Hook[] = [];
  readonly #entryNode: ClusterNode;
  readonly #shouldTrace: (err: unknown) => boolean;

  constructor(
    slots: readonly ProcessorSlot[],
    entryNode: ClusterNode,
    shouldTrace: (err: unknown) => boolean,
  ) {
    this.slots = slots;
    this.#entryNode = entryNode;
    this.#shouldTrace = shouldTrace;
    this.refresh();
  }

  /**
   * Rebuilds the lists of active checks and hooks; called whenever rules change. Bound here,
   * once, so the per-entry loops call plain functions, skip idle protections and allocate
   * nothing. An entry admitted before a change may exit through hooks it did not enter
   * through (or skip some): slots tolerate that, as Java's do when rules change mid-call.
   */
  refresh(): void {
    const active = this.slots.filter((s) => s.isActive?.() ?? true);
    this.#checks = active.flatMap((s) => (s.entry ? [s.entry.bind(s)] : []));
    this.#passHooks = active.flatMap((s) => (s.onPass ? [s.onPass.bind(s)] : []));
    this.#exitHooks = active.flatMap((s) => (s.onExit ? [s.onExit.bind(s)] : []));
  }

  shouldTrace(err: unknown): boolean {
    return err !== undefined && !isBlockError(err) && this.#shouldTrace(err);
  }

  /** Runs the checks; returns null when the entry is admitted (and counted), else the block. */
  entry(context: Context, entry: Entry): BlockResult | null {
    const checks = this.#checks;
    for (let i = 0; i < checks.length; i++) {
      const block = checks[i]!(context, entry);
      if (block !== null) {
        this.#recordBlock(entry, block);
        return block;
      }
    }
    this.#recordPass(entry);
    const hooks = this.#passHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i]!(entry);
    return null;
  }

  exit(entry: Entry): void {
    const now = entry.node!.clock.now();
    entry.completeTimestamp = now;
    const rt = now - entry.createTimestamp;
    const count = entry.batchCount;
    const error = entry.error !== undefined;
    complete(entry.node!, now, count, rt, error);
    if (entry.originNode !== null) complete(entry.originNode, now, count, rt, error);
    if (entry.entryType === 'IN') complete(this.#entryNode, now, count, rt, error);
    const hooks = this.#exitHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i]!(entry);
    terminate(entry);
  }

  // Counted at the entry's creation time: the checks ran within the same millisecond tick.
  #recordPass(entry: Entry): void {
    const count = entry.batchCount;
    const now = entry.createTimestamp;
    const node = entry.node!;
    node.increaseThreadNum();
    node.addPassRequestAt(now, count);
    if (entry.originNode !== null) {
      entry.originNode.increaseThreadNum();
      entry.originNode.addPassRequestAt(now, count);
    }
    if (entry.entryType === 'IN') {
      this.#entryNode.increaseThreadNum();
      this.#entryNode.addPassRequestAt(now, count);
    }
  }

  #recordBlock(entry: Entry, block: BlockResult): void {
    const count = entry.batchCount;
    const now = entry.createTimestamp;
    entry.blockError = block;
    entry.node!.increaseBlockQpsAt(now, count);
    entry.originNode?.increaseBlockQpsAt(now, count);
    if (entry.entryType === 'IN') this.#entryNode.increaseBlockQpsAt(now, count);
    terminate(entry);
  }
}

function complete(node: StatisticNode, now: number, count: number, rt: number, error: boolean): void {
  node.addRtAndSuccessAt(now, rt, count);
  node.decreaseThreadNum();
  if (error) node.increaseExceptionQpsAt(now, count);
}

function terminate(entry: Entry): void {
  const handlers = entry.terminateHandlers;
  if (handlers === null) return;
  for (const h of handlers) h.onEntryTerminated(entry);
}

// Block errors are recognised by their brand (set in ../errors.ts), not by class, so this file
// need not import the error catalogue.
const kBlockError = Symbol.for('silk.sentinel.blockError');

export function isBlockError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kBlockError] === true;
}

export const BLOCK_ERROR_BRAND = kBlockError;
