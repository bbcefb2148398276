/**
 * Java servers (Nacos, RocketMQ, the Sentinel dashboard) are assembled from Maven Central:
 * each has a small pom under `stack/java/<name>/` whose dependencies are the server artifacts.
 * Maven resolves them into ~/.m2 (the download cache); we keep the resulting classpath in a
 * file under the Silk cache keyed by the pom's content, so a warm `up` does not run Maven.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot } from './config.js';
import { execFileAsync, which } from './process.js';
import { StackError } from './server.js';

export function javaPomDir(name: string): string {
  return join(repoRoot, 'stack', 'java', name);
}

/** The `java` binary to run servers with: $JAVA_HOME/bin/java, else the one on PATH. */
export async function javaBin(server: string): Promise<string> {
  const home = process.env.JAVA_HOME;
  if (home && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  const onPath = await which('java');
  if (!onPath) throw new StackError(server, 'no JDK found: install OpenJDK 17 or set JAVA_HOME');
  return onPath;
}

/**
 * Resolves the pom's dependencies and returns the runtime classpath (jars in ~/.m2), plus any
 * extra directories (config, compiled launcher classes) the caller prepends.
 */
export async function resolveClasspath(server: string, pomDir: string): Promise<string> {
  const pom = join(pomDir, 'pom.xml');
  if (!existsSync(pom)) throw new StackError(server, `missing ${pom}`);
  const key = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const out = join(cacheDir, 'classpath', `${server}-${key}.txt`);
  if (existsSync(out)) {
    const cp = readFileSync(out, 'utf8').trim();
    // The cache file is only trusted while every jar it names is still in ~/.m2.
    if (cp.split(':').every((jar) => existsSync(jar))) return cp;
  }
  mkdirSync(join(cacheDir, 'classpath'), { recursive: true });
  if (!(await which('mvn'))) throw new StackError(server, 'Maven (mvn) not found: install maven');
  try {
    await execFileAsync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        pom,
        'dependency:build-classpath',
        '-Dmdep.includeScope=runtime',
        `-Dmdep.outputFile=${out}`,
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const tail = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter(Boolean).slice(-8).join('\n');
    throw new StackError(server, `Maven could not resolve ${pom} (download failed?):\n${tail || e.message}`);
  }
  return readFileSync(out, 'utf8').trim();
}
