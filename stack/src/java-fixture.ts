/**
 * Java fixtures (interop/java/<name>): build a fixture's jar with Maven when it is missing or
 * older than its sources, and run it as a child process whose output is kept for the failure
 * message. Interop tests and benchmarks share this so every fixture is built and stopped the
 * same way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's interop/java folder. */
export const interopJavaDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../interop/java');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/**
 * Builds `interop/java/<name>` with `mvn -q -B package -DskipTests` unless `target/<jar>` is
 * newer than its pom and every source, and returns the jar's absolute path. Throws with
 * Maven's output when the build fails.
 */
export function buildJavaFixture(name: string, jar: string, timeoutMs = 900_000): string {
  const dir = join(interopJavaDir, name);
  const jarPath = join(dir, 'target', jar);
  const sources = [join(dir, 'pom.xml'), ...filesUnder(join(dir, 'src'))];
  if (existsSync(jarPath)) {
    const built = statSync(jarPath).mtimeMs;
    if (sources.every((s) => statSync(s).mtimeMs < built)) return jarPath;
  }
  const build = spawnSync('mvn', ['-q', '-B', 'package', '-DskipTests'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (build.status !== 0 || !existsSync(jarPath)) {
    const why = build.error === undefined ? `exit ${String(build.status)}` : String(build.error);
    throw new Error(
      `building the Java fixture ${name} failed (mvn -q -B package in ${dir}: ${why}); it needs ` +
        `Maven and JDK 17 on PATH and Maven Central reachable:\n${build.stdout}\n${build.stderr}`,
    );
  }
  return jarPath;
}

/** A running Java fixture: its process and everything it printed so far. */
export class JavaProcess {
  private out = '';
  private readonly lineWaiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    const collect = (d: Buffer): void => {
      this.out += d.toString();
      for (const wake of this.lineWaiters) wake();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  /** stdout and stderr interleaved, as printed. */
  get output(): string {
    return this.out;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /**
   * Resolves with the first match of `pattern` in the output (searched from `from`), or
   * rejects with the output so far when the process exits or `timeoutMs` passes first.
   */
  waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return new Promise((res, rej) => {
      const check = (): boolean => {
        const m = this.out.slice(from).match(pattern);
        if (m) {
          done();
          res(m);
          return true;
        }
        if (this.exited) {
          done();
          rej(new Error(`Java fixture exited before printing ${String(pattern)}:\n${this.out}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`Java fixture did not print ${String(pattern)} in ${timeoutMs} ms:\n${this.out}`));
      }, timeoutMs);
      const onExit = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.lineWaiters.delete(wake);
        this.child.off('exit', onExit);
      };
      const wake = (): void => void check();
      if (check()) return;
      this.lineWaiters.add(wake);
      this.child.on('exit', onExit);
    });
  }

  /** SIGTERM (so Spring and Dubbo deregister), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, graceMs))]);
    if (!this.exited) {
      this.child.kill('SIGKILL');
      await gone;
    }
  }
}

/** Runs `java [jvmArgs] -jar <jar> [args]` with stdin closed and output captured. */
export function spawnJava(jar: string, args: readonly string[], jvmArgs: readonly string[] = []): JavaProcess {
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', ...jvmArgs, '-jar', jar, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new JavaProcess(child);
}

/** A free loopback port (for a fixture that needs one passed in). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const { port } = srv.address() as { port: number };
  await new Promise((res) => srv.close(res));
  return port;
}
