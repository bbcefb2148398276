import { describe, expect, it } from 'vitest';
import {
  candidates,
  RoundRobinBalancer,
  WeightedRandomBalancer,
  type ServiceInstance,
} from './load-balancer.js';

function inst(port: number, extra: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    instanceId: `i${port}`,
    serviceName: 's',
    ip: '10.0.0.1',
    port,
    weight: 1,
    healthy: true,
    enabled: true,
    clusterName: 'DEFAULT',
    metadata: {},
    ...extra,
  };
}

describe('candidates', () => {
  it('keeps healthy, enabled, positive-weight instances only', () => {
    const all = [inst(1), inst(2, { healthy: false }), inst(3, { enabled: false }), inst(4, { weight: 0 })];
    expect(candidates(all).map((i) => i.port)).toEqual([1]);
    expect(candidates(all, { healthyOnly: false }).map((i) => i.port)).toEqual([1, 2]);
  });

  it('prefers the caller cluster, falling back to all when it has none', () => {
    const all = [
      inst(1, { clusterName: 'HZ' }),
      inst(2, { clusterName: 'SH' }),
      inst(3, { clusterName: 'SH' }),
    ];
    expect(candidates(all, { clusterName: 'SH' }).map((i) => i.port)).toEqual([2, 3]);
    expect(candidates(all, { clusterName: 'BJ' }).map((i) => i.port)).toEqual([1, 2, 3]);
  });
});

describe('load balancers', () => {
  it('weighted random follows the weights', () => {
    const all = [inst(1, { weight: 1 }), inst(2, { weight: 3 })];
    // Random points evenly spread over [0, 1): a quarter land on the weight-1 instance.
    const points = Array.from({ length: 400 }, (_, k) => k / 400);
    let n = 0;
    const lb = new WeightedRandomBalancer(() => points[n++]!);
    const picks = points.map(() => lb.choose(all)!.port);
    expect(picks.filter((p) => p === 1)).toHaveLength(100);
    expect(picks.filter((p) => p === 2)).toHaveLength(300);
  });

  it('round robin cycles through every instance from a random start', () => {
    const all = [inst(1), inst(2), inst(3)];
    const lb = new RoundRobinBalancer(() => 0.5);
    const picks = Array.from({ length: 6 }, () => lb.choose(all)!.port);
    expect(new Set(picks.slice(0, 3))).toEqual(new Set([1, 2, 3]));
    expect(picks.slice(3)).toEqual(picks.slice(0, 3));
    expect(lb.choose([])).toBeUndefined();
  });
});
