/**
 * Read-only views of the statistics, shaped for the dashboard's commands: the current
 * per-second figures of each resource (`clusterNode`) and the completed seconds of the last
 * minute (`metric`: `timestamp|resource|passQps|blockQps|successQps|exceptionQps|rt|occupiedPassQps|concurrency|classification`).
 */
import type { MetricNode } from './core/metric-bucket.js';
import type { ResourceWrapper } from './core/resource.js';

export interface ResourceMetrics {
  readonly resource: string;
  readonly passQps: number;
  readonly blockQps: number;
  readonly successQps: number;
  readonly exceptionQps: number;
  readonly avgRt: number;
  readonly minRt: number;
  readonly concurrency: number;
  /** Requests (passed + blocked) in the last minute. */
  readonly totalRequest: number;
}

export interface ResourceMetricNode extends MetricNode {
  readonly resource: string;
}

export function currentMetrics(resources: Iterable<ResourceWrapper>): ResourceMetrics[] {
  const out: ResourceMetrics[] = [];
  for (const res of resources) {
    const n = res.clusterNode;
    out.push({
      resource: res.name,
      passQps: n.passQps(),
      blockQps: n.blockQps(),
      successQps: n.successQps(),
      exceptionQps: n.exceptionQps(),
      avgRt: n.avgRt(),
      minRt: n.minRt(),
      concurrency: n.curThreadNum(),
      totalRequest: n.totalRequest(),
    });
  }
  return out;
}

export function secondMetrics(
  resources: Iterable<ResourceWrapper>,
  fromMs: number,
  toMs: number,
): ResourceMetricNode[] {
  const out: ResourceMetricNode[] = [];
  for (const res of resources) {
    const n = res.clusterNode;
    for (const m of n.secondMetrics(fromMs, toMs, n.resourceType)) out.push({ ...m, resource: res.name });
  }
  return out.sort((a, b) => a.timestamp - b.timestamp);
}
