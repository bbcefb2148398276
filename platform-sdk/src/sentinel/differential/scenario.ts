/**
 * Scenarios for the differential test against Java Sentinel (test-only): rules in Sentinel's
 * JSON and a schedule of entries and exits at virtual times, the format the
 * `interop/java/sentinel-diff` fixture reads. A request is an entry at `t` and its exit at
 * `t + rt`; the schedule is sorted by time, ties kept in the order they were added, so both
 * engines see exactly the same sequence.
 */

/** A JSON argument: fastjson hands Java the same values (arrays as Lists). */
export type ScenarioArg = string | number | null | ScenarioArg[];

export interface EntryEvent {
  t: number;
  op: 'entry';
  id: number;
  resource: string;
  context?: string;
  origin?: string;
  args?: ScenarioArg[];
  count?: number;
  /** IN entries count towards system rules; default OUT. */
  type?: 'IN' | 'OUT';
}

export interface ExitEvent {
  t: number;
  op: 'exit';
  id: number;
  error?: boolean;
}

/** A rule push while traffic runs: only the kinds given are replaced. */
export interface LoadEvent {
  t: number;
  op: 'load';
  rules: ScenarioRules;
}

/** Reads the resource's completed seconds of the last minute, as the dashboard's metric fetch. */
export interface MetricsEvent {
  t: number;
  op: 'metrics';
  resource: string;
}

export type ScenarioEvent = EntryEvent | ExitEvent | LoadEvent | MetricsEvent;

export interface ScenarioRules {
  flow?: Record<string, unknown>[];
  degrade?: Record<string, unknown>[];
  paramFlow?: Record<string, unknown>[];
  authority?: Record<string, unknown>[];
  /** Only the qps, maxThread and avgRt limits: load and CPU are the machine's. */
  system?: Record<string, unknown>[];
}

export interface Scenario {
  /** Names the rule and the schedule, so a failure says which one diverged. */
  name: string;
  seed: number;
  startMs: number;
  /** Warm-up cold factor (Java: csp.sentinel.flow.cold.factor); default 3. */
  coldFactor?: number;
  rules: ScenarioRules;
  events: ScenarioEvent[];
  /** Lines Java's replay must contain, so a scenario that stops exercising its rule fails. */
  mustSee: RegExp[];
}

/** mulberry32: a small, fast, seeded PRNG, so every run replays the same schedule. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RequestSpec {
  resource: string;
  context?: string;
  origin?: string;
  args?: ScenarioArg[];
  count?: number;
  type?: 'IN' | 'OUT';
}

export class ScheduleBuilder {
  readonly random: () => number;
  readonly #events: { seq: number; e: ScenarioEvent }[] = [];
  #nextId = 0;
  #seq = 0;

  constructor(seed: number) {
    this.random = prng(seed);
  }

  /** A request entered at `t` that exits `rt` ms later, failing when `error`. */
  request(t: number, spec: RequestSpec, rt: number, error = false): void {
    const id = this.#nextId++;
    this.#events.push({ seq: this.#seq++, e: { t, op: 'entry', id, ...spec } });
    const exit: ExitEvent = { t: t + rt, op: 'exit', id };
    if (error) exit.error = true;
    this.#events.push({ seq: this.#seq++, e: exit });
  }

  /** Replaces the rules of the kinds in `rules` at `t`, as a data source push would. */
  load(t: number, rules: ScenarioRules): void {
    this.#events.push({ seq: this.#seq++, e: { t, op: 'load', rules } });
  }

  /** Reads `resource`'s per-second statistics at `t`. */
  metrics(t: number, resource: string): void {
    this.#events.push({ seq: this.#seq++, e: { t, op: 'metrics', resource } });
  }

  /**
   * Poisson arrivals at `perSecond` over [from, to) (relative ms), each made into a request by
   * `make(t)`.
   */
  arrivals(from: number, to: number, perSecond: number, make: (t: number) => void): void {
    if (perSecond <= 0) return;
    let t = from;
    for (;;) {
      t += (-Math.log(1 - this.random()) * 1000) / perSecond;
      if (t >= to) return;
      make(Math.floor(t));
    }
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  build(startMs: number): ScenarioEvent[] {
    return this.#events
      .sort((a, b) => a.e.t - b.e.t || a.seq - b.seq)
      .map(({ e }) => ({ ...e, t: e.t + startMs }));
  }
}

/** A queueing rule made some request wait. */
export const QUEUED = /^\d+ P [1-9]/m;
/** A breaker went through its whole cycle: opened, probed, re-opened on a bad probe, closed. */
export const BREAKER_CYCLE = [
  / \S+ CLOSED OPEN$/m,
  / \S+ OPEN HALF_OPEN$/m,
  / \S+ HALF_OPEN OPEN$/m,
  / \S+ HALF_OPEN CLOSED$/m,
];

/** Traffic phases: [duration ms, requests per second]. */
export type Phases = readonly (readonly [number, number])[];

export function phased(b: ScheduleBuilder, phases: Phases, make: (t: number, phase: number) => void): void {
  let from = 0;
  phases.forEach(([duration, rate], i) => {
    b.arrivals(from, from + duration, rate, (t) => make(t, i));
    from += duration;
  });
}

/** Not on a second boundary, so windows start part-way through the schedule as in production. */
export const START_MS = 1_700_000_000_337;

/** Every scenario must both admit and block. */
const ADMITS_AND_BLOCKS = [/^\d+ P /m, /^\d+ B /m];

export function scenario(
  name: string,
  seed: number,
  rules: ScenarioRules,
  fill: (b: ScheduleBuilder) => void,
  mustSee: RegExp[] = [],
): Scenario {
  const b = new ScheduleBuilder(seed);
  fill(b);
  return {
    name,
    seed,
    startMs: START_MS,
    rules,
    events: b.build(START_MS),
    mustSee: [...ADMITS_AND_BLOCKS, ...mustSee],
  };
}

/** The scenario as the Java fixture reads it. */
export function scenarioJson(s: Scenario): string {
  return JSON.stringify({
    name: s.name,
    startMs: s.startMs,
    coldFactor: s.coldFactor,
    rules: s.rules,
    events: s.events,
  });
}
