import { describe, expect, it } from 'vitest';
import { OsSystemStatus } from './system-status.js';

describe('OsSystemStatus', () => {
  it('reports unknown (-1) CPU until two samples exist, then a usage in [0, 1] and the load average', () => {
    const status = new OsSystemStatus(60_000);
    expect(status.cpuUsage()).toBe(-1); // the first read starts sampling: one sample so far
    let spin = 0;
    const until = Date.now() + 20;
    while (Date.now() < until) spin++;
    status.sample();
    expect(spin).toBeGreaterThan(0);
    expect(status.cpuUsage()).toBeGreaterThanOrEqual(0);
    expect(status.cpuUsage()).toBeLessThanOrEqual(1);
    expect(status.systemLoadAverage()).toBeGreaterThanOrEqual(0);
    status.stop();
  });
});
