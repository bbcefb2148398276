/**
 * The invocation context (Java's Context / ContextUtil): a name (the entrance, e.g. a route or
 * a Dubbo service) and the origin (the calling application, matched by `limitApp`). Contexts
 * are interned per (name, origin), so taking one costs two map reads and no allocation, and
 * the implicit context travels in an AsyncLocalStorage the way Java's lives in a ThreadLocal.
 *
 * Unlike Java, a context does not hold a mutable "current entry" stack: concurrent async calls
 * share a context, and a shared stack would be corrupted by interleaving. Each Entry carries
 * its own state instead (sentinel-golang does the same).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CONTEXT_DEFAULT_NAME, MAX_CONTEXT_NAME_SIZE } from '../constants.js';
import { EntranceNode } from './nodes.js';

export class Context {
  readonly name: string;
  readonly origin: string;
  readonly entranceNode: EntranceNode;
  /** A NullContext: too many context names exist, so entries in it are not checked (as Java). */
  readonly isNull: boolean;

  constructor(name: string, origin: string, entranceNode: EntranceNode, isNull = false) {
    this.name = name;
    this.origin = origin;
    this.entranceNode = entranceNode;
    this.isNull = isNull;
  }
}

/** Interns contexts and their entrance nodes; holds the implicit (async-local) context. */
export class ContextRegistry {
  readonly #byName = new Map<string, Map<string, Context>>();
  readonly #storage = new AsyncLocalStorage<Context>();
  readonly #nullContext = new Context('', '', new EntranceNode(''), true);
  // Until someone enters a context, skip the AsyncLocalStorage lookup on every entry.
  #storageUsed = false;
  // One-entry cache: consecutive entries mostly come from the same (name, origin).
  #last: Context | undefined;
  readonly defaultContext: Context;

  constructor() {
    this.defaultContext = this.get(CONTEXT_DEFAULT_NAME, '');
  }

  /** The interned context for (name, origin); the NullContext past MAX_CONTEXT_NAME_SIZE names. */
  get(name: string, origin: string): Context {
    const last = this.#last;
    if (last !== undefined && last.origin === origin && last.name === name) return last;
    const ctx = this.#lookup(name, origin);
    if (!ctx.isNull) this.#last = ctx;
    return ctx;
  }

  #lookup(name: string, origin: string): Context {
    let origins = this.#byName.get(name);
    if (origins === undefined) {
      if (this.#byName.size >= MAX_CONTEXT_NAME_SIZE) return this.#nullContext;
      origins = new Map();
      this.#byName.set(name, origins);
    }
    let ctx = origins.get(origin);
    if (ctx === undefined) {
      const first = origins.values().next();
      const entrance = first.done === true ? new EntranceNode(name) : first.value.entranceNode;
      ctx = new Context(name, origin, entrance);
      origins.set(origin, ctx);
    }
    return ctx;
  }

  /**
   * ContextUtil.enter + exit around `fn`: entries inside `fn` (and its async work) use it.
   * As in Java, entering while a context is already active keeps the active one: the
   * entrance of a call chain is where it entered first.
   */
  run<T>(name: string, origin: string, fn: () => T): T {
    this.#storageUsed = true;
    if (this.#storage.getStore() !== undefined) return fn();
    return this.#storage.run(this.get(name, origin), fn);
  }

  /** The implicit context, if any. */
  current(): Context | undefined {
    return this.#storageUsed ? this.#storage.getStore() : undefined;
  }

  /** Entrance nodes by context name (the roots of the dashboard's call tree). */
  entranceNodes(): EntranceNode[] {
    const out: EntranceNode[] = [];
    for (const origins of this.#byName.values()) {
      const first = origins.values().next();
      if (first.done !== true) out.push(first.value.entranceNode);
    }
    return out;
  }
}
