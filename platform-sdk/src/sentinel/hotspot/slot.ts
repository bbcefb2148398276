/**
 * ParamFlowSlot (ParamFlowChecker): limits calls per value of one argument. For each rule of
 * the resource it takes `args[paramIdx]` (a negative index counts from the end); an array or
 * Set argument is checked element by element; a missing or null argument passes.
 *
 * - QPS, DEFAULT: a token bucket per value holding `count + burstCount`, refilled by
 *   `count` per `durationInSec` (exception items replace `count` for their value).
 * - QPS, RATE_LIMITER: values are spaced `1000 * durationInSec / count` ms apart; a request
 *   that would wait `maxQueueingTimeMs` or more is refused (Java's strict `<` here).
 * - THREAD: at most `count` concurrent calls per value.
 *
 * A cluster-mode rule has no token server here: it is checked locally when
 * `fallbackToLocalWhenFail`, else passes.
 */
import { RuleConstant } from '../constants.js';
import type { Context } from '../core/context.js';
import type { Entry } from '../core/entry.js';
import { blockResult, type BlockResult } from '../core/rule.js';
import type { ProcessorSlot } from '../core/slot-chain.js';
import { paramKey } from './param-metric.js';
import type { CompiledParamFlowRule, ParamFlowRuleManager } from './rule-manager.js';

const BLOCKED = -1;

export class ParamFlowSlot implements ProcessorSlot {
  readonly name = 'param-flow';
  readonly #manager: ParamFlowRuleManager;

  constructor(manager: ParamFlowRuleManager) {
    this.#manager = manager;
  }

  isActive(): boolean {
    return this.#manager.hasRules();
  }

  entry(_context: Context, entry: Entry): BlockResult | null {
    const args = entry.args;
    if (args === undefined) return null;
    const rules = this.#manager.rulesOf(entry.resource);
    for (let i = 0; i < rules.length; i++) {
      const c = rules[i]!;
      const { rule } = c;
      const idx = realParamIdx(rule.paramIdx, args.length);
      if (args.length <= idx) continue;
      const raw = args[idx];
      if (raw === undefined || raw === null) continue;
      const qpsCluster = rule.clusterMode && rule.grade === RuleConstant.FLOW_GRADE_QPS;
      if (qpsCluster && rule.clusterConfig?.fallbackToLocalWhenFail !== true) continue;
      const wait = this.#passLocal(c, entry, idx, raw);
      if (wait === BLOCKED) return blockResult('param-flow', entry.resource.name, rule, describeParam(raw));
      entry.waitMs += wait;
    }
    return null;
  }

  onPass(entry: Entry): void {
    this.#countThreads(entry, 1);
  }

  onExit(entry: Entry): void {
    this.#countThreads(entry, -1);
  }

  #passLocal(c: CompiledParamFlowRule, entry: Entry, idx: number, raw: unknown): number {
    if (!Array.isArray(raw) && !(raw instanceof Set)) return this.#passSingle(c, entry, idx, paramKey(raw));
    let wait = 0;
    for (const v of raw as Iterable<unknown>) {
      const w = this.#passSingle(c, entry, idx, paramKey(v));
      if (w === BLOCKED) return BLOCKED;
      wait += w;
    }
    return wait;
  }

  #passSingle(c: CompiledParamFlowRule, entry: Entry, idx: number, value: unknown): number {
    const { rule } = c;
    const threshold = c.hotItems.get(value) ?? Math.trunc(rule.count);
    if (rule.grade === RuleConstant.FLOW_GRADE_THREAD) {
      const current = this.#manager.threadCounts(entry.resource.name).get(idx, value);
      return current + 1 <= threshold ? 0 : BLOCKED;
    }
    const now = entry.node!.clock.now();
    if (rule.controlBehavior === RuleConstant.CONTROL_BEHAVIOR_RATE_LIMITER) {
      return passThrottle(c, value, threshold, entry.batchCount, now);
    }
    return passDefault(c, value, threshold, entry.batchCount, now);
  }

  #countThreads(entry: Entry, delta: number): void {
    const args = entry.args;
    if (args === undefined) return;
    const rules = this.#manager.rulesOf(entry.resource);
    if (rules.length === 0 || !this.#manager.hasThreadRules(rules)) return;
    const counts = this.#manager.threadCounts(entry.resource.name);
    for (const c of rules) {
      if (c.rule.grade !== RuleConstant.FLOW_GRADE_THREAD) continue;
      const idx = realParamIdx(c.rule.paramIdx, args.length);
      const raw = args[idx];
      if (raw === undefined || raw === null) continue;
      if (Array.isArray(raw) || raw instanceof Set) {
        for (const v of raw as Iterable<unknown>) counts.add(idx, paramKey(v), delta);
      } else {
        counts.add(idx, paramKey(raw), delta);
      }
    }
  }
}

/** The triggering value as text (Java: String.valueOf(arg)); collections as `[a, b]`. */
function describeParam(raw: unknown): string {
  if (Array.isArray(raw) || raw instanceof Set) {
    return `[${[...(raw as Iterable<unknown>)].map(describeParam).join(', ')}]`;
  }
  const key = paramKey(raw);
  if (typeof key === 'object' && key !== null) return JSON.stringify(key) ?? 'object';
  return String(key);
}

/** ParamFlowSlot.applyRealParamIdx, resolved per call instead of rewriting the rule. */
function realParamIdx(paramIdx: number, length: number): number {
  if (paramIdx >= 0) return paramIdx;
  return -paramIdx <= length ? length + paramIdx : -paramIdx;
}

function passDefault(
  c: CompiledParamFlowRule,
  value: unknown,
  tokenCount: number,
  acquire: number,
  now: number,
): number {
  const { rule } = c;
  if (tokenCount === 0) return BLOCKED;
  const maxCount = tokenCount + rule.burstCount;
  if (acquire > maxCount) return BLOCKED;
  const counters = c.metric.tokenCounters;
  const status = counters.get(value);
  if (status === undefined) {
    counters.set(value, { lastAddTokenTime: now, restQps: maxCount - acquire });
    return 0;
  }
  const durationMs = rule.durationInSec * 1000;
  const passTime = now - status.lastAddTokenTime;
  if (passTime > durationMs) {
    const toAdd = Math.trunc((passTime * tokenCount) / durationMs);
    const newQps = toAdd + status.restQps > maxCount ? maxCount - acquire : status.restQps + toAdd - acquire;
    if (newQps < 0) return BLOCKED;
    status.lastAddTokenTime = now;
    status.restQps = newQps;
    return 0;
  }
  const newQps = status.restQps - acquire;
  if (newQps < 0) return BLOCKED;
  status.restQps = newQps;
  return 0;
}

function passThrottle(
  c: CompiledParamFlowRule,
  value: unknown,
  tokenCount: number,
  acquire: number,
  now: number,
): number {
  const { rule } = c;
  if (tokenCount === 0) return BLOCKED;
  const costTime = Math.round((1000 * acquire * rule.durationInSec) / tokenCount);
  const recorders = c.metric.timeCounters;
  const last = recorders.get(value);
  if (last === undefined) {
    recorders.set(value, { lastPassTime: now });
    return 0;
  }
  const expectedTime = last.lastPassTime + costTime;
  if (expectedTime <= now || expectedTime - now < rule.maxQueueingTimeMs) {
    const wait = expectedTime - now;
    last.lastPassTime = wait > 0 ? expectedTime : now;
    return wait > 0 ? wait : 0;
  }
  return BLOCKED;
}
