/**
 * SystemSlot: guards the whole application, for inbound (EntryType IN) entries only, against
 * the global inbound node, in Java's order: qps, thread, rt, load (BBR), cpu.
 *
 * The load check is BBR's: above `highestSystemLoad` an entry is still admitted while the
 * concurrency is within what the application has shown it can complete —
 * `thread <= maxSuccessQps * minRt / 1000` (or thread <= 1).
 */
import type { Context } from '../core/context.js';
import type { Entry } from '../core/entry.js';
import type { ClusterNode } from '../core/nodes.js';
import type { BlockResult } from '../core/rule.js';
import type { ProcessorSlot } from '../core/slot-chain.js';
import type { SystemRuleManager } from './rule-manager.js';
import type { SystemStatusProvider } from './system-status.js';

export class SystemSlot implements ProcessorSlot {
  readonly name = 'system';
  readonly #manager: SystemRuleManager;
  readonly #entryNode: ClusterNode;
  readonly #status: SystemStatusProvider;

  constructor(manager: SystemRuleManager, entryNode: ClusterNode, status: SystemStatusProvider) {
    this.#manager = manager;
    this.#entryNode = entryNode;
    this.#status = status;
  }

  isActive(): boolean {
    return this.#manager.hasRules();
  }

  entry(_context: Context, entry: Entry): BlockResult | null {
    const t = this.#manager.thresholds();
    if (t === undefined || entry.entryType !== 'IN') return null;
    const node = this.#entryNode;
    const name = entry.resource.name;
    if (t.qps !== undefined && node.passQps() + entry.batchCount > t.qps.value) return t.qps.block.for(name);
    const thread = node.curThreadNum();
    if (t.maxThread !== undefined && thread > t.maxThread.value) return t.maxThread.block.for(name);
    if (t.avgRt !== undefined && node.avgRt() > t.avgRt.value) return t.avgRt.block.for(name);
    const load = t.highestSystemLoad;
    if (load !== undefined && this.#status.systemLoadAverage() > load.value && !this.#checkBbr(thread)) {
      return load.block.for(name);
    }
    const cpu = t.highestCpuUsage;
    if (cpu !== undefined && this.#status.cpuUsage() > cpu.value) return cpu.block.for(name);
    return null;
  }

  #checkBbr(thread: number): boolean {
    const node = this.#entryNode;
    return !(thread > 1 && thread > (node.maxSuccessQps() * node.minRt()) / 1000);
  }
}
