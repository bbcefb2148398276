/**
 * Process metrics under both naming schemes a dashboard may expect: prom-client's Node
 * defaults (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_heap_*`,
 * `nodejs_eventloop_lag_*`...) and the Micrometer names a Spring Boot dashboard queries
 * (`process_uptime_seconds`, `process_cpu_usage`, `system_cpu_count`, `system_load_average_1m`,
 * `process_files_open_files`, and `jvm_memory_used_bytes` / `jvm_memory_committed_bytes` /
 * `jvm_memory_max_bytes` with `area="heap"` per V8 heap space as `id` — the JVM dashboard's
 * heap panels then show the V8 heap; there is no non-heap area to report).
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics } from 'prom-client';
import type { MeterRegistry } from './meter-registry.js';

function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined; // not Linux: the series is simply absent
  }
}

export function bindProcessMetrics(meters: MeterRegistry): void {
  collectDefaultMetrics({ register: meters.registry });
  const started = performance.timeOrigin;
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();

  meters.gauge('process_uptime_seconds', 'The uptime of the process', [], (set) =>
    set({}, (Date.now() - started) / 1000),
  );
  meters.gauge('process_cpu_usage', 'The recent cpu usage of the process (0..1 of all cores)', [], (set) => {
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    const wallUs = (now - lastAt) * 1000 * availableParallelism();
    lastCpu = process.cpuUsage();
    lastAt = now;
    set({}, wallUs > 0 ? Math.min(1, (cpu.user + cpu.system) / wallUs) : 0);
  });
  meters.gauge('system_cpu_count', 'The number of processors available to the process', [], (set) =>
    set({}, availableParallelism()),
  );
  meters.gauge('system_load_average_1m', 'The 1 minute load average of the system', [], (set) =>
    set({}, loadavg()[0] ?? 0),
  );
  meters.gauge('process_files_open_files', 'The open file descriptor count', [], (set) => {
    const n = openFiles();
    if (n !== undefined) set({}, n);
  });
  const memory = (
    name: string,
    help: string,
    pick: (s: ReturnType<typeof getHeapSpaceStatistics>[number]) => number,
  ) =>
    meters.gauge(name, help, ['area', 'id'], (set) => {
      for (const s of getHeapSpaceStatistics()) set({ area: 'heap', id: s.space_name }, pick(s));
    });
  memory('jvm_memory_used_bytes', 'The amount of used memory (V8 heap spaces)', (s) => s.space_used_size);
  memory(
    'jvm_memory_committed_bytes',
    'The amount of memory committed (V8 heap spaces)',
    (s) => s.space_size,
  );
  meters.gauge(
    'jvm_memory_max_bytes',
    'The maximum amount of memory (V8 heap limit)',
    ['area', 'id'],
    (set) => set({ area: 'heap', id: 'total' }, getHeapStatistics().heap_size_limit),
  );
}
