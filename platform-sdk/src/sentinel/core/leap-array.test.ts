import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { BucketLeapArray } from './metric-bucket.js';
import { ClusterNode, DefaultNode } from './nodes.js';
import { StatisticNode } from './statistic-node.js';

describe('LeapArray', () => {
  it('rejects an interval that the sample count does not divide', () => {
    expect(() => new BucketLeapArray(3, 1000)).toThrow(RangeError);
  });

  it('reuses the bucket of a window the clock has leapt past, reset', () => {
    const la = new BucketLeapArray(2, 1000);
    la.currentWindow(100).pass = 5;
    expect(la.currentWindow(499).pass).toBe(5);
    expect(la.currentWindow(1100).pass).toBe(0); // same slot, newer window: reset
    expect(la.currentWindow(100).pass).toBe(0); // older than the slot's window: detached bucket
  });

  it('finds the previous window only while it is adjacent', () => {
    const la = new BucketLeapArray(60, 60_000);
    la.currentWindow(5_000).pass = 7;
    expect(la.previousWindow(6_500)?.pass).toBe(7);
    expect(la.previousWindow(7_100)).toBeUndefined();
  });
});

describe('StatisticNode', () => {
  it('counts pass QPS over the last second of two 500 ms buckets', () => {
    const clock = new ManualClock(10_000);
    const node = new StatisticNode(clock);
    node.addPassRequest(3);
    clock.set(10_600);
    node.addPassRequest(2);
    expect(node.passQps()).toBe(5);
    clock.set(11_000); // the 10_000 bucket is now a second old and dropped
    expect(node.passQps()).toBe(2);
    clock.set(11_500);
    expect(node.passQps()).toBe(0);
  });

  it('keeps rt, min rt, success and exception, and the previous second from the minute window', () => {
    const clock = new ManualClock(20_000);
    const node = new StatisticNode(clock);
    node.addPassRequest(4);
    node.addRtAndSuccess(30, 1);
    node.addRtAndSuccess(10, 1);
    node.increaseExceptionQps(1);
    expect(node.avgRt()).toBe(20);
    expect(node.minRt()).toBe(10);
    expect(node.exceptionQps()).toBe(1);
    expect(node.maxSuccessQps()).toBe(4); // 2 in the best 500 ms bucket, scaled to a second
    clock.set(21_200);
    expect(node.previousPassQps()).toBe(4);
    expect(node.minRt()).toBe(5000); // nothing completed in the last second
    expect(node.totalRequest()).toBe(4);
  });

  it('reports whole seconds for the dashboard with rt averaged per success', () => {
    const clock = new ManualClock(30_000);
    const node = new StatisticNode(clock);
    node.addPassRequest(2);
    node.addRtAndSuccess(9, 1);
    node.addRtAndSuccess(4, 1);
    clock.set(31_500);
    node.increaseBlockQps(1);
    const lines = node.secondMetrics(0, 31_000);
    expect(lines).toEqual([
      expect.objectContaining({ timestamp: 30_000, passQps: 2, successQps: 2, rt: 6, blockQps: 0 }),
    ]);
    expect(node.secondMetrics(0, 32_000).map((m) => m.timestamp)).toEqual([30_000, 31_000]);
  });

  it('forwards every write of a DefaultNode to its ClusterNode', () => {
    const clock = new ManualClock(0);
    const cluster = new ClusterNode(clock, 'r');
    const a = new DefaultNode(clock, 'r', cluster);
    const b = new DefaultNode(clock, 'r', cluster);
    a.addPassRequest(1);
    b.addPassRequest(2);
    a.increaseThreadNum();
    b.increaseBlockQps(1);
    expect([a.passQps(), b.passQps(), cluster.passQps()]).toEqual([1, 2, 3]);
    expect(cluster.curThreadNum()).toBe(1);
    expect(cluster.blockQps()).toBe(1);
  });
});
