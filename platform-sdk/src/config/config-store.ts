/**
 * A service's live configuration. Each source's content is parsed, the sources are merged in
 * precedence order, the environment applied, placeholders resolved, and the result validated
 * against the service's schema; only then is it swapped in, as one frozen object, and the
 * listeners told the old and new values. Anything that fails on the way leaves the last good
 * config in force — and the last good content of the failing source too — and is kept as
 * `lastError` for the log and the health endpoint.
 */
import { applyEnvOverrides, envLookup } from './env.js';
import { ConfigInvalidError } from './errors.js';
import { mergeFlat, unflatten, type FlatConfig } from './flatten.js';
import { parseConfig } from './parse.js';
import { resolvePlaceholders } from './placeholders.js';
import { describeIssues, type ConfigSchema } from './schema.js';
import type { ConfigSource } from './sources.js';

export type ConfigListener<T> = (next: T, previous: T) => void;

export interface ConfigStoreOptions {
  env?: NodeJS.ProcessEnv;
  profiles?: readonly string[];
  /** Defaults beneath every source (the bootstrap file, say). */
  defaults?: Record<string, unknown>;
}

export interface ConfigHealth {
  status: 'UP' | 'OUT_OF_SERVICE';
  /** Why the latest change was refused, while the last good config stays in force. */
  lastError?: { code: string; dataId: string; message: string; at: string };
}

function keyOf(s: Pick<ConfigSource, 'dataId' | 'group'>): string {
  return `${s.group}/${s.dataId}`;
}

export class ConfigStore<T> {
  private readonly contents = new Map<string, FlatConfig>();
  private value: T | undefined;
  private readonly listeners = new Set<ConfigListener<T>>();
  private error: ConfigHealth['lastError'];
  private readonly defaults: FlatConfig;

  constructor(
    private readonly sources: readonly ConfigSource[],
    private readonly schema: ConfigSchema<T>,
    private readonly opts: ConfigStoreOptions = {},
  ) {
    this.defaults = new Map();
    if (opts.defaults) for (const [k, v] of Object.entries(opts.defaults)) this.defaults.set(k, v);
  }

  /** The config in force. Throws before the first successful load. */
  get current(): T {
    if (this.value === undefined) throw new Error('config read before it was loaded');
    return this.value;
  }

  get loaded(): boolean {
    return this.value !== undefined;
  }

  onChange(listener: ConfigListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(): ConfigHealth {
    return this.error
      ? { status: this.loaded ? 'UP' : 'OUT_OF_SERVICE', lastError: this.error }
      : { status: this.loaded ? 'UP' : 'OUT_OF_SERVICE' };
  }

  /** First load of every source at once; `undefined` content means the dataId does not exist. */
  async load(initial: ReadonlyMap<string, string | undefined>): Promise<T> {
    const next = new Map(this.contents);
    for (const s of this.sources) {
      const content = initial.get(keyOf(s));
      if (content === undefined) next.delete(keyOf(s));
      else next.set(keyOf(s), parseConfig(content, s.format, s.dataId, this.opts.profiles));
    }
    return this.commit(next, 'initial load');
  }

  /**
   * Applies one source's new content. Resolves to true when swapped in; false when it was
   * refused (the reason is in `health().lastError`) or did not change the config.
   */
  async update(
    source: Pick<ConfigSource, 'dataId' | 'group'>,
    content: string | undefined,
  ): Promise<boolean> {
    const s = this.sources.find((x) => keyOf(x) === keyOf(source));
    if (!s) return false;
    const next = new Map(this.contents);
    try {
      if (content === undefined) next.delete(keyOf(s));
      else next.set(keyOf(s), parseConfig(content, s.format, s.dataId, this.opts.profiles));
      const before = this.value;
      await this.commit(next, s.dataId);
      return before !== this.value;
    } catch (err) {
      if (!(err instanceof ConfigInvalidError)) throw err;
      this.error = { code: err.code, dataId: s.dataId, message: err.message, at: new Date().toISOString() };
      return false;
    }
  }

  private async commit(next: Map<string, FlatConfig>, dataId: string): Promise<T> {
    const ordered = [
      this.defaults,
      ...this.sources.map((s) => next.get(keyOf(s))).filter((c): c is FlatConfig => c !== undefined),
    ];
    const env = this.opts.env ?? process.env;
    let flat: FlatConfig;
    try {
      flat = resolvePlaceholders(applyEnvOverrides(mergeFlat(ordered), env), envLookup(env));
    } catch (err) {
      throw new ConfigInvalidError(dataId, (err as Error).message, err);
    }
    const result = await this.schema['~standard'].validate(unflatten(flat));
    if (result.issues)
      throw new ConfigInvalidError(dataId, `does not match the schema: ${describeIssues(result.issues)}`);
    const previous = this.value;
    const value = deepFreeze(result.value);
    this.contents.clear();
    for (const [k, v] of next) this.contents.set(k, v);
    this.error = undefined;
    if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(value)) return previous;
    this.value = value;
    if (previous !== undefined) for (const l of this.listeners) l(value, previous);
    return value;
  }
}

function deepFreeze<V>(v: V): V {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}
