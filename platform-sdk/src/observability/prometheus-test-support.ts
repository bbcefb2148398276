/**
 * Reading a scrape back the way Prometheus does: `promlint/` is `promtool check metrics` on
 * Prometheus's own Go libraries (the text parser of prometheus/common and client_golang's
 * promlint), built with the local Go toolchain on first use. Tests then assert on what
 * Prometheus would ingest, and that its linter has nothing to say, not on prom-client's
 * spelling. (The npm parser parse-prometheus-text-format was tried first: it drops the
 * labels, counts and sums of labelled histograms, so it cannot check these metrics.)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface PromSample {
  labels: Record<string, string>;
  value?: number;
  count?: number;
  sum?: number;
  buckets?: Record<string, number>;
}

export interface PromFamily {
  name: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  help: string;
  metrics: PromSample[];
}

export interface Scrape {
  /** promlint's findings, as `promtool check metrics` prints them. */
  problems: { Metric: string; Text: string }[];
  families: Map<string, PromFamily>;
}

let binary: Promise<string> | undefined;

function build(): Promise<string> {
  binary ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'silk-promlint-')), 'promlint');
    const dir = fileURLToPath(new URL('./promlint/', import.meta.url));
    await promisify(execFile)('go', ['build', '-mod=mod', '-o', out, '.'], { cwd: dir, timeout: 600_000 });
    return out;
  })();
  return binary;
}

/** Parses and lints `text` with Prometheus's libraries; rejects with the parser's error. */
export async function promtoolCheck(text: string): Promise<Scrape> {
  const bin = await build();
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(text);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`promlint exited ${code}: ${stderr}`);
  const parsed = JSON.parse(stdout) as { problems: Scrape['problems'] | null; families: PromFamily[] };
  return { problems: parsed.problems ?? [], families: new Map(parsed.families.map((f) => [f.name, f])) };
}

/** The one sample of `family` whose labels include `labels`; throws naming what was there. */
export function sample(scrape: Scrape, family: string, labels: Record<string, string>): PromSample {
  const f = scrape.families.get(family);
  if (!f) throw new Error(`no family ${family}; have ${[...scrape.families.keys()].join(', ')}`);
  const hits = f.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
  if (hits.length !== 1)
    throw new Error(
      `${hits.length} samples of ${family} match ${JSON.stringify(labels)}: ${JSON.stringify(f.metrics.map((m) => m.labels))}`,
    );
  return hits[0]!;
}
