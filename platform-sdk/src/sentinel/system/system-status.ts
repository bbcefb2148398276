/**
 * Where system rules get the machine's load and CPU usage (Java: SystemStatusListener, run
 * once a second). The engine reads a provider; `OsSystemStatus` samples `os.loadavg()` and the
 * CPU usage on an unref'd timer, so an entry only reads two numbers.
 *
 * CPU usage is, as in Java, the larger of the process's usage (CPU time over wall time over
 * cores) and the whole machine's usage over the last interval.
 */
import os from 'node:os';

export interface SystemStatusProvider {
  /** The 1-minute load average; negative when unknown. */
  systemLoadAverage(): number;
  /** CPU usage in [0, 1]; negative when unknown. */
  cpuUsage(): number;
}

/** A provider with fixed values, for tests and for hosts that measure elsewhere. */
export class StaticSystemStatus implements SystemStatusProvider {
  load = -1;
  cpu = -1;

  systemLoadAverage(): number {
    return this.load;
  }

  cpuUsage(): number {
    return this.cpu;
  }
}

interface CpuSample {
  at: bigint;
  process: number;
  idle: number;
  total: number;
}

export class OsSystemStatus implements SystemStatusProvider {
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #load = -1;
  #cpu = -1;
  #last: CpuSample | undefined;

  constructor(intervalMs = 1000) {
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  systemLoadAverage(): number {
    if (this.#timer === undefined) this.start();
    return this.#load;
  }

  cpuUsage(): number {
    if (this.#timer === undefined) this.start();
    return this.#cpu;
  }

  /** Takes one sample now (the timer calls this every interval). */
  sample(): void {
    this.#load = os.loadavg()[0] ?? -1;
    const now = takeCpuSample();
    const last = this.#last;
    this.#last = now;
    if (last === undefined) return;
    const wallUs = Number(now.at - last.at) / 1000;
    const cores = os.availableParallelism();
    const processUsage = wallUs > 0 ? (now.process - last.process) / wallUs / cores : 0;
    const total = now.total - last.total;
    const systemUsage = total > 0 ? 1 - (now.idle - last.idle) / total : 0;
    this.#cpu = Math.min(1, Math.max(processUsage, systemUsage, 0));
  }
}

function takeCpuSample(): CpuSample {
  const usage = process.cpuUsage();
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { at: process.hrtime.bigint(), process: usage.user + usage.system, idle, total };
}
