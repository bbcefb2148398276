/**
 * Cache figures as Micrometer's CacheMeterBinder (plus CaffeineCacheMetrics' load meters) puts
 * them on a Spring Boot app's /actuator/prometheus, so the estate's cache dashboards read a Silk
 * cache unchanged. Every series carries `cache` and `cache_manager` (Spring Boot's
 * CacheMetricsRegistrar tags each cache with its CacheManager's bean name, `cacheManager` by
 * default), and the registry's own common tags (`application`):
 *
 *   cache_gets_total{result="hit"|"miss"}    hit: answered by L1 or Redis; miss: loaded or waited
 *   cache_puts_total                         values this instance stored in Redis
 *   cache_evictions_total                    L1 entries dropped because it was full
 *   cache_size                               L1 entries (approximate: expired ones linger)
 *   cache_load_total{result="success"|"failure"}
 *   cache_load_duration_seconds              total loader time (divide by loads for latency)
 *
 * Like Micrometer's FunctionCounter these are read from `stats()` at scrape time: nothing is
 * added to the read path. Families are created once per registry and shared by every cache
 * bound to it; two caches with the same name and manager add up.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheStatsSnapshot } from './stats.js';

/** What the binder reads; `Cache` fits it. */
export interface MeteredCache {
  readonly name: string;
  readonly localSize: number;
  stats(): Readonly<CacheStatsSnapshot>;
}

/** The registry behind /actuator/prometheus; observability's MeterRegistry fits it. */
export interface CacheMeterTarget {
  readonly registry: Registry;
}

export interface CacheMeterOptions {
  /** The `cache_manager` tag (Spring's CacheManager bean name); default "cacheManager". */
  cacheManager?: string;
}

type Labels = { cache: string; cache_manager: string };
type Bound = { cache: MeteredCache; labels: Labels };
type Read = (bound: Bound, stats: Readonly<CacheStatsSnapshot>, put: Put) => void;
type Put = (extra: Record<string, string>, value: number) => void;

const GETS_HELP =
  'The number of times cache lookup methods have returned a cached (hit) or uncached (newly loaded or null) value (miss).';
const LOAD_HELP =
  'The number of times cache lookup methods have successfully loaded a new value or failed to load a new value, ' +
  'either because no value was found or an exception was thrown while loading';

const bindings = new WeakMap<Registry, Set<Bound>>();

function family(
  registry: Registry,
  bound: Set<Bound>,
  kind: 'counter' | 'gauge',
  name: string,
  help: string,
  extra: readonly string[],
  read: Read,
): void {
  const labelNames = ['cache', 'cache_manager', ...extra];
  function collect(this: Counter | Gauge): void {
    this.reset();
    // inc, not set: two caches with the same labels add up.
    for (const b of bound)
      read(b, b.cache.stats(), (more, value) => this.inc({ ...b.labels, ...more }, value));
  }
  const options = { name, help, labelNames, registers: [registry], collect };
  if (kind === 'counter') new Counter(options);
  else new Gauge(options);
}

function register(registry: Registry): Set<Bound> {
  const bound = new Set<Bound>();
  const f = (kind: 'counter' | 'gauge', name: string, help: string, extra: string[], read: Read): void =>
    family(registry, bound, kind, name, help, extra, read);
  f('counter', 'cache_gets_total', GETS_HELP, ['result'], (_b, s, put) => {
    put({ result: 'hit' }, s.hitsLocal + s.hitsRedis);
    put({ result: 'miss' }, s.misses);
  });
  f('counter', 'cache_puts_total', 'The number of entries added to the cache', [], (_b, s, put) =>
    put({}, s.puts),
  );
  f('counter', 'cache_evictions_total', 'The number of times the cache was evicted.', [], (_b, s, put) =>
    put({}, s.evictions),
  );
  f(
    'gauge',
    'cache_size',
    'The number of entries in this cache. This may be an approximation, depending on the type of cache.',
    [],
    (b, _s, put) => put({}, b.cache.localSize),
  );
  f('counter', 'cache_load_total', LOAD_HELP, ['result'], (_b, s, put) => {
    put({ result: 'success' }, s.loads - s.loadFailures);
    put({ result: 'failure' }, s.loadFailures);
  });
  f(
    'gauge',
    'cache_load_duration_seconds',
    'The time the cache has spent loading new values',
    [],
    (_b, s, put) => put({}, s.loadTimeTotalMs / 1000),
  );
  return bound;
}

/**
 * Exports `cache`'s figures on `meters` (a service's MeterRegistry, e.g. `currentMeters()`);
 * returns a function that stops exporting them (call it when the cache stops).
 */
export function bindCacheMetrics(
  meters: CacheMeterTarget,
  cache: MeteredCache,
  options: CacheMeterOptions = {},
): () => void {
  let bound = bindings.get(meters.registry);
  if (bound === undefined) {
    bound = register(meters.registry);
    bindings.set(meters.registry, bound);
  }
  const entry: Bound = {
    cache,
    labels: { cache: cache.name, cache_manager: options.cacheManager ?? 'cacheManager' },
  };
  bound.add(entry);
  const all = bound;
  return () => void all.delete(entry);
}
