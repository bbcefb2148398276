/**
 * `pnpm bench [name...]` — runs the benchmarks in `bench/src/benchmarks/` (all, or those
 * named) and writes each one's table to `bench/results/<name>.md`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { runBenchmark, toMarkdown, type Benchmark } from './harness.js';

const dir = join(import.meta.dirname, 'benchmarks');
const outDir = join(import.meta.dirname, '..', 'results');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));

const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => basename(f, '.bench.ts'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

mkdirSync(outDir, { recursive: true });
for (const name of wanted.length > 0 ? wanted : available) {
  const mod = (await import(join(dir, `${name}.bench.ts`))) as { default: Benchmark };
  const b = mod.default;
  console.log(`# ${b.name}`);
  const results = await runBenchmark(b, (s) => console.log(s));
  const md = toMarkdown(b, results, {
    date: new Date().toISOString(),
    node: process.version,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  });
  writeFileSync(join(outDir, `${name}.md`), md);
  console.log(md);
}
