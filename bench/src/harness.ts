/**
 * The benchmark harness. A benchmark is a set of cases, one of them the baseline, each
 * measured by a `run()` that returns named figures (ns/op, req/s, p99 ms, MB...). The
 * harness interleaves the cases run after run — baseline, subject, baseline, subject — so a
 * noisy neighbour on the shared machine hurts all cases alike, then reports per case the
 * median of each figure, its spread (min–max), and the ratio of the median to the
 * baseline's. Never a pass/fail assertion on time: targets are printed beside the figures.
 */
export type Figures = Record<string, number>;

export interface BenchCase {
  name: string;
  /** Exactly one case of a benchmark is its baseline. */
  baseline?: boolean;
  setup?(): Promise<void> | void;
  teardown?(): Promise<void> | void;
  run(): Promise<Figures> | Figures;
}

export interface Benchmark {
  name: string;
  description: string;
  /** Runs per case; medians need at least 3. */
  runs?: number;
  /** For each figure, whether more is better (req/s) or less is (ns/op, ms). */
  better: Record<string, 'higher' | 'lower'>;
  cases: BenchCase[];
  /** What the issue asks for, printed with the results (e.g. "≤ 150 ns/op with one rule"). */
  targets?: string[];
}

export interface CaseResult {
  name: string;
  baseline: boolean;
  samples: Record<string, number[]>;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx]!;
}

/**
 * Nanoseconds per call of `fn`, timed over `iterations` calls after a warm-up, so the JIT has
 * settled. `fn` should return something derived from its work so it cannot be optimised away.
 */
export function nsPerOp(fn: () => unknown, iterations = 1_000_000): Figures {
  let sink: unknown;
  for (let i = 0; i < Math.min(iterations, 100_000); i++) sink = fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (sink === Symbol.for('never')) console.log(sink);
  return { 'ns/op': ns };
}

/**
 * Nanoseconds per awaited call of `fn`: each call's promise is awaited before the next starts
 * (as a handler awaits a limiter), timed over `iterations` calls after a warm-up. The figure
 * includes the microtask hop of each `await`, which is part of what an async API costs.
 */
export async function nsPerOpAsync(fn: () => Promise<unknown>, iterations = 200_000): Promise<Figures> {
  let sink: unknown;
  for (let i = 0; i < Math.min(iterations, 50_000); i++) sink = await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = await fn();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (sink === Symbol.for('never')) console.log(sink);
  return { 'ns/op': ns };
}

export async function runBenchmark(
  b: Benchmark,
  log: (s: string) => void = () => undefined,
): Promise<CaseResult[]> {
  const baselines = b.cases.filter((c) => c.baseline).length;
  if (baselines !== 1)
    throw new Error(`benchmark ${b.name} must have exactly one baseline case, has ${baselines}`);
  const runs = b.runs ?? 5;
  const results: CaseResult[] = b.cases.map((c) => ({
    name: c.name,
    baseline: c.baseline === true,
    samples: {},
  }));
  for (const c of b.cases) await c.setup?.();
  try {
    for (let r = 0; r < runs; r++) {
      for (const [i, c] of b.cases.entries()) {
        const figures = await c.run();
        for (const [k, v] of Object.entries(figures)) (results[i]!.samples[k] ??= []).push(v);
        log(`  run ${r + 1}/${runs} ${c.name}: ${formatFigures(figures)}`);
      }
    }
  } finally {
    for (const c of b.cases) await c.teardown?.();
  }
  return results;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function formatFigures(f: Figures): string {
  return Object.entries(f)
    .map(([k, v]) => `${fmt(v)} ${k}`)
    .join(', ');
}

/** A markdown table: per case and figure, the median, the spread, and the ratio to the baseline. */
export function toMarkdown(b: Benchmark, results: CaseResult[], meta: Record<string, string>): string {
  const base = results.find((r) => r.baseline)!;
  const figures = Object.keys(b.better).filter((k) => results.some((r) => r.samples[k]));
  const lines = [
    `# ${b.name}`,
    '',
    b.description,
    '',
    ...Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`),
    `- runs per case: ${b.runs ?? 5}, interleaved; figures are medians, spread is min–max`,
    '',
    `| case | ${figures.map((f) => `${f} (median) | spread | × baseline`).join(' | ')} |`,
    `| --- | ${figures.map(() => '---: | ---: | ---:').join(' | ')} |`,
  ];
  for (const r of results) {
    const cells = figures.map((f) => {
      const xs = r.samples[f] ?? [];
      const m = median(xs);
      const ratio = m / median(base.samples[f] ?? []);
      return `${fmt(m)} | ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} | ${fmt(ratio)}`;
    });
    lines.push(`| ${r.name}${r.baseline ? ' (baseline)' : ''} | ${cells.join(' | ')} |`);
  }
  if (b.targets?.length) lines.push('', 'Targets:', ...b.targets.map((t) => `- ${t}`));
  lines.push(
    '',
    `Better: ${Object.entries(b.better)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
  );
  return lines.join('\n');
}
