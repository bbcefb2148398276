/**
 * The engine: resources, contexts, the slot chain and the rule managers of one application
 * (Java keeps these in static singletons; here they are one object, so tests and
 * multi-tenant hosts can have several). `entry()` is the hot path: it resolves the context and
 * the nodes without allocating beyond the Entry itself, runs the chain, and returns the Entry
 * or the BlockResult.
 */
import { CONTEXT_DEFAULT_NAME, ResourceType, type EntryType } from './constants.js';
import { CachedMillisClock, type SentinelClock } from './core/clock.js';
import { ContextRegistry, type Context } from './core/context.js';
import { Entry } from './core/entry.js';
import type { ClusterNode, EntranceNode } from './core/nodes.js';
import { ResourceRegistry, ResourceWrapper } from './core/resource.js';
import type { BlockResult } from './core/rule.js';
import type { SlotChain } from './core/slot-chain.js';
import { buildDefaultSlotChain } from './default-slot-chain.js';
import { blockErrorOf } from './errors.js';
import { FlowRuleManager } from './flow/rule-manager.js';
import { currentMetrics, secondMetrics, type ResourceMetricNode, type ResourceMetrics } from './metrics.js';
import { DegradeRuleManager } from './circuitbreaker/rule-manager.js';
import { AuthorityRuleManager } from './authority/rule-manager.js';
import { ParamFlowRuleManager } from './hotspot/rule-manager.js';
import { SystemRuleManager } from './system/rule-manager.js';
import { OsSystemStatus, type SystemStatusProvider } from './system/system-status.js';

export interface SentinelOptions {
  /** Time source; defaults to a cached millisecond clock (stopped by `close()`). */
  clock?: SentinelClock;
  /** Load and CPU usage for system rules; defaults to sampling the OS once a second. */
  systemStatus?: SystemStatusProvider;
  /** Warm-up cold factor (`csp.sentinel.flow.cold.factor`), > 1; default 3. */
  coldFactor?: number;
  /**
   * Which errors count as exceptions (Java: Tracer's exceptionsToTrace/ToIgnore/predicate).
   * Block errors never count. Default: every error.
   */
  exceptionPredicate?: (err: unknown) => boolean;
}

export interface EntryOptions {
  /** The caller (matched by `limitApp`); overrides the context's origin. */
  origin?: string;
  /** An explicit context (from `sentinel.context()`), instead of the async-local one. */
  context?: Context;
  /** Arguments hot-parameter rules index into (`paramIdx`). */
  args?: readonly unknown[];
  /** How many requests this entry counts as (Java: `count`/batchCount); default 1. */
  batchCount?: number;
  /** IN for inbound traffic (system rules, the global inbound node); default OUT, as Java. */
  entryType?: EntryType;
  /** ResourceTypeConstants code, the dashboard's classification; used on first entry. */
  resourceType?: number;
}

export type EntryResult = Entry | BlockResult;

export interface WrapOptions<A extends unknown[]> extends Omit<EntryOptions, 'args'> {
  /** The hot-parameter arguments of a call; default: the call's own arguments. */
  args?: (...callArgs: A) => readonly unknown[];
}

export class Sentinel {
  readonly clock: SentinelClock;
  readonly flowRules: FlowRuleManager;
  readonly degradeRules: DegradeRuleManager;
  readonly systemRules = new SystemRuleManager();
  readonly authorityRules = new AuthorityRuleManager();
  readonly paramFlowRules = new ParamFlowRuleManager();
  readonly #ownsClock: CachedMillisClock | undefined;
  readonly #ownsStatus: OsSystemStatus | undefined;
  readonly #registry: ResourceRegistry;
  readonly #contexts = new ContextRegistry();
  readonly #chain: SlotChain;
  readonly #untracked: ResourceWrapper;

  constructor(options: SentinelOptions = {}) {
    if (options.clock === undefined) this.#ownsClock = new CachedMillisClock();
    this.clock = options.clock ?? this.#ownsClock!;
    this.#registry = new ResourceRegistry(this.clock);
    this.#untracked = new ResourceWrapper(this.clock, -1, '(untracked)', ResourceType.COMMON);
    this.flowRules = new FlowRuleManager(options.coldFactor);
    this.degradeRules = new DegradeRuleManager(this.clock);
    if (options.systemStatus === undefined) this.#ownsStatus = new OsSystemStatus();
    this.#chain = buildDefaultSlotChain(
      this,
      this.#registry,
      options.systemStatus ?? this.#ownsStatus!,
      options.exceptionPredicate ?? (() => true),
    );
  }

  /**
   * Enters `resource` (SphU.entry): returns the admitted Entry — exit it when done — or the
   * BlockResult naming the rule that refused it. Never throws for a block.
   */
  entry(resource: string, options?: EntryOptions): EntryResult {
    const context = this.#resolveContext(options);
    const now = this.clock.now();
    const batchCount = options?.batchCount ?? 1;
    const entryType = options?.entryType ?? 'OUT';
    const res = context.isNull ? undefined : this.#registry.get(resource, options?.resourceType);
    if (res === undefined) {
      return new Entry(null, this.#untracked, context, null, null, entryType, batchCount, options?.args, now);
    }
    const originNode = context.origin === '' ? null : res.clusterNode.getOrCreateOriginNode(context.origin);
    const e = new Entry(
      this.#chain,
      res,
      context,
      res.nodeFor(context),
      originNode,
      entryType,
      batchCount,
      options?.args,
      now,
    );
    return this.#chain.entry(context, e) ?? e;
  }

  /**
   * Wraps an async function as a resource: a block rejects with the coded block error
   * (SILK_SENTINEL_*_BLOCKED, status 429); a queued request waits its turn first; a thrown
   * error is traced on the entry; the entry always exits.
   */
  wrap<A extends unknown[], R>(
    resource: string,
    fn: (...args: A) => Promise<R> | R,
    options: WrapOptions<A> = {},
  ): (...args: A) => Promise<R> {
    const { args: argsOf, ...entryOptions } = options;
    return async (...args: A): Promise<R> => {
      const result = this.entry(resource, { ...entryOptions, args: argsOf ? argsOf(...args) : args });
      if (result.blocked) throw blockErrorOf(result);
      try {
        if (result.waitMs > 0) await this.clock.sleep(result.waitMs);
        return await fn(...args);
      } catch (err) {
        result.setError(err);
        throw err;
      } finally {
        result.exit();
      }
    };
  }

  /** ContextUtil.enter(name, origin) for the duration of `fn` and the async work it starts. */
  runInContext<T>(name: string, origin: string, fn: () => T): T {
    return this.#contexts.run(name, origin, fn);
  }

  /** The interned context (name, origin), for callers that pass it explicitly. */
  context(name: string, origin = ''): Context {
    return this.#contexts.get(name, origin);
  }

  /** The resource's ClusterNode, if the resource was ever entered. */
  clusterNode(resource: string): ClusterNode | undefined {
    return this.#registry.clusterNode(resource);
  }

  /** Constants.ENTRY_NODE: all inbound traffic. */
  get entryNode(): ClusterNode {
    return this.#registry.entryNode;
  }

  resources(): IterableIterator<ResourceWrapper> {
    return this.#registry.resources();
  }

  /** The root of each context's call tree (Java: the EntranceNodes under machine-root). */
  entranceNodes(): EntranceNode[] {
    return this.#contexts.entranceNodes();
  }

  /** The current per-second figures of every resource entered so far. */
  metrics(): ResourceMetrics[] {
    return currentMetrics(this.#registry.resources());
  }

  /** Completed seconds with traffic whose start is in [fromMs, toMs), every resource, oldest first. */
  secondMetrics(fromMs: number, toMs: number): ResourceMetricNode[] {
    return secondMetrics(this.#registry.resources(), fromMs, toMs);
  }

  /** Stops the engine's own timers (clock, OS sampling). Rules and statistics stay readable. */
  close(): void {
    this.#ownsClock?.close();
    this.#ownsStatus?.stop();
  }

  #resolveContext(options: EntryOptions | undefined): Context {
    const base = options?.context ?? this.#contexts.current();
    const origin = options?.origin;
    if (origin === undefined || origin === base?.origin) return base ?? this.#contexts.defaultContext;
    return this.#contexts.get(base?.name ?? CONTEXT_DEFAULT_NAME, origin);
  }
}

export function createSentinel(options?: SentinelOptions): Sentinel {
  return new Sentinel(options);
}
