/** Starting and killing the sample's processes (the TC, participants) for fault tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
// tsx's loader inside this very node process: the `tsx` CLI would fork a grandchild that a
// SIGKILL of the CLI leaves running, and a fault test must kill the real thing.
const tsxLoader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export interface Child {
  proc: ChildProcess;
  output: string;
  /** First capture group of the ready line. */
  ready: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnTs(script: string, env: Record<string, string>, readyLine: RegExp, timeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(tsxLoader).href, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = {
    proc,
    output: '',
    ready: [],
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in ${timeoutMs} ms:\n${child.output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      child.output += d.toString();
      const m = readyLine.exec(child.output);
      if (m) {
        clearTimeout(timer);
        child.ready = m.slice(1);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d: Buffer) => (child.output += d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before ready:\n${child.output}`));
    });
  });
  return child;
}

export const PARTICIPANT = join(here, 'participant.ts');
export const TCC_PARTICIPANT = join(here, 'tcc-participant.ts');
export const TC_MAIN = join(here, '..', 'main.ts');
