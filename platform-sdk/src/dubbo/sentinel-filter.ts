/**
 * Sentinel around Dubbo calls, as sentinel-apache-dubbo3-adapter guards them in a Java app, so
 * rules written for a Java provider or consumer apply to a Silk one unchanged:
 *
 * - two resources per call: the interface (`com.foo.OrderService`) and the method with its
 *   parameter classes as Java's `Class.getName()` spells them
 *   (`com.foo.OrderService:place(java.lang.String,long,[Ljava.lang.String;)`);
 * - the provider enters a context named after the method resource, with the caller's
 *   application (`remote.application`, else Sentinel's `dubboApplication`) as the origin, and
 *   inbound entries (system rules see them); the method entry carries the arguments for
 *   hot-parameter rules;
 * - the consumer's entries are outbound;
 * - a block on the provider answers what Java's DefaultDubboFallback answers: a
 *   RuntimeException "SentinelBlockException: FlowException" (or Degrade/ParamFlow/...); a
 *   block on the consumer throws Silk's coded block error before anything is sent;
 * - an exception result counts as an exception on both entries (degrade rules).
 */
import {
  blockErrorOf,
  ResourceType,
  type BlockKind,
  type BlockResult,
  type Entry,
  type Sentinel,
} from '../sentinel/index.js';
import { recordSentinelBlock } from '../observability/spans.js';
import { jvmDescriptor } from './java-types.js';
import { JavaThrowable } from './java-values.js';
import type { DubboServiceDefinition } from './service-definition.js';

/** Sentinel's DubboUtils.SENTINEL_DUBBO_APPLICATION_KEY. */
export const SENTINEL_DUBBO_APPLICATION_KEY = 'dubboApplication';

/** Class.getName() of a declared parameter type: generics erased, arrays in descriptor form. */
export function javaClassName(type: string): string {
  const erased = type.replace(/<.*>/s, '').trim();
  if (!erased.endsWith('[]')) return erased;
  return jvmDescriptor(erased).replace(/\//g, '.');
}

export function methodResourceName(
  def: DubboServiceDefinition,
  method: string,
  parameterTypes: readonly string[],
): string {
  return `${def.interface}:${method}(${parameterTypes.map(javaClassName).join(',')})`;
}

// Resource names are fixed per declared method: built once, not on every call.
const namesByDef = new WeakMap<DubboServiceDefinition, Map<string, readonly [string, string]>>();

function resourceNames(
  def: DubboServiceDefinition,
  method: string,
  parameterTypes: readonly string[],
): readonly [string, string] {
  let byMethod = namesByDef.get(def);
  if (byMethod === undefined) namesByDef.set(def, (byMethod = new Map<string, readonly [string, string]>()));
  let names = byMethod.get(method);
  if (names === undefined)
    byMethod.set(method, (names = [def.interface, methodResourceName(def, method, parameterTypes)]));
  return names;
}

/** The simple class name Java's BlockException subclasses carry, per kind of block. */
const JAVA_BLOCK_EXCEPTION: Record<BlockKind, string> = {
  flow: 'FlowException',
  degrade: 'DegradeException',
  system: 'SystemBlockException',
  authority: 'AuthorityException',
  'param-flow': 'ParamFlowException',
};

/** What a Java provider's default fallback returns for a block. */
export function blockedInvocationException(block: BlockResult): JavaThrowable {
  return new JavaThrowable(
    'java.lang.RuntimeException',
    `SentinelBlockException: ${JAVA_BLOCK_EXCEPTION[block.kind]}`,
  );
}

interface Guard {
  entries: Entry[];
  block?: BlockResult;
}

function enter(
  sentinel: Sentinel,
  names: readonly [string, string],
  args: readonly unknown[],
  type: 'IN' | 'OUT',
  origin?: string,
): Guard {
  const context = origin === undefined ? undefined : sentinel.context(names[1], origin);
  const entries: Entry[] = [];
  for (const [i, resource] of names.entries()) {
    const r = sentinel.entry(resource, {
      entryType: type,
      resourceType: ResourceType.COMMON_RPC,
      ...(context ? { context } : {}),
      ...(i === 1 ? { args } : {}),
    });
    if (r.blocked) {
      recordSentinelBlock(r);
      for (const e of entries.reverse()) e.exit();
      return { entries: [], block: r };
    }
    entries.push(r);
  }
  return { entries };
}

/**
 * Runs a provider's handler under Sentinel. A block returns the Java fallback's exception
 * without running the handler; the handler's own exception is traced and rethrown.
 */
export async function guardProvider<T>(
  sentinel: Sentinel,
  def: DubboServiceDefinition,
  method: string,
  parameterTypes: readonly string[],
  args: readonly unknown[],
  origin: string,
  run: () => Promise<T>,
): Promise<T> {
  const names = resourceNames(def, method, parameterTypes);
  const guard = enter(sentinel, names, args, 'IN', origin);
  if (guard.block) throw blockedInvocationException(guard.block);
  return settle(guard.entries, run);
}

/** Runs a consumer call under Sentinel; a block throws the coded SentinelBlockError. */
export async function guardConsumer<T>(
  sentinel: Sentinel,
  def: DubboServiceDefinition,
  method: string,
  parameterTypes: readonly string[],
  args: readonly unknown[],
  run: () => Promise<T>,
): Promise<T> {
  const names = resourceNames(def, method, parameterTypes);
  const guard = enter(sentinel, names, args, 'OUT');
  if (guard.block) throw blockErrorOf(guard.block);
  return settle(guard.entries, run);
}

async function settle<T>(entries: Entry[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    for (const e of entries) e.setError(err);
    throw err;
  } finally {
    for (const e of entries.reverse()) e.exit();
  }
}
