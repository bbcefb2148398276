/**
 * Sentinel's per-resource figures as the Java `sentinel-prometheus-metric-exporter` exposes
 * them, so a dashboard built on it works: one gauge family named after the application (dots
 * and dashes as underscores; `csp.sentinel.prometheus.app` overrides), help `sentinel_metrics`,
 * labels `resource`, `classification`, `type`, with `type` one of the exporter's default
 * fetch types — passQps, blockQps, exceptionQps, rt, concurrency — plus successQps. Values
 * are those of the last completed second, as Java reads them from its metric log.
 */
import type { ResourceMetricNode } from '../sentinel/index.js';
import type { MeterRegistry } from './meter-registry.js';

/** The engine's view this needs; `Sentinel` from `sentinel/` fits it. */
export interface SentinelMetricSource {
  secondMetrics(fromMs: number, toMs: number): ResourceMetricNode[];
}

export const SENTINEL_FETCH_TYPES = [
  'passQps',
  'blockQps',
  'exceptionQps',
  'rt',
  'concurrency',
  'successQps',
] as const;

export function sentinelFamilyName(app: string): string {
  const name = app.replace(/[^A-Za-z0-9_:]/g, '_');
  return /^[A-Za-z_:]/.test(name) ? name : `_${name}`;
}

export function bindSentinelMetrics(
  meters: MeterRegistry,
  sentinel: SentinelMetricSource,
  app: string,
  now: () => number = Date.now,
): void {
  meters.gauge(sentinelFamilyName(app), 'sentinel_metrics', ['resource', 'classification', 'type'], (set) => {
    const second = Math.floor(now() / 1000) * 1000 - 1000;
    const latest = new Map<string, ResourceMetricNode>();
    for (const m of sentinel.secondMetrics(second, second + 1000)) latest.set(m.resource, m);
    for (const m of latest.values()) {
      for (const type of SENTINEL_FETCH_TYPES) {
        set({ resource: m.resource, classification: String(m.classification), type }, m[type]);
      }
    }
  });
}
