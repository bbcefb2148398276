/**
 * A real Nacos 3 server (standalone, embedded Derby, auth on) assembled from Maven Central and run
 * on the local JDK, with the console UI on its own port.
 *
 * Layout under `.stack/nacos/` (it is nacos.home): `conf/application.properties` (written at each
 * start from stack/java/nacos/application.properties plus the values below), `data/` (Derby),
 * `logs/` (Nacos' own logs and `start.out`, the JVM's stdout), `secret.json` (token secret and
 * server identity, generated once so tokens survive restarts), `nacos.pid`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir, host, nacos, stateDir } from '../config.js';
import { javaBin, javaPomDir, resolveClasspath } from '../java.js';
import {
  assertPortsFree,
  execFileAsync,
  livePid,
  portOpen,
  spawnDetached,
  stopPid,
  waitFor,
} from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';

const NAME = 'nacos';
const home = join(stateDir, NAME);
const confDir = join(home, 'conf');
const logDir = join(home, 'logs');
const logFile = join(logDir, 'start.out');
const serverLog = join(logDir, 'nacos.log');
const pidFile = join(home, 'nacos.pid');
const secretFile = join(home, 'secret.json');
const pomDir = javaPomDir(NAME);
const LAUNCHER = 'SilkNacosLauncher';

const baseUrl = `http://${host}:${nacos.port}${nacos.contextPath}`;

/** Nacos binds these beside the configured ones, at fixed offsets from the main port. */
const ports = {
  http: nacos.port,
  grpc: nacos.grpcPort,
  console: nacos.consolePort,
  // Server-to-server gRPC (main + 1001) and the Raft port (main - 1000) are opened even standalone.
  clusterGrpc: nacos.port + 1001,
  raft: nacos.port - 1000,
};

// Nacos 3.1 is built for Java 17 (nacos-all's java.version).
const MIN_JAVA = 17;

/** A failed or refused call, with the HTTP status and what Nacos said. */
class NacosHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

async function call(method: 'GET' | 'POST', path: string, params: Record<string, string>, what: string) {
  const qs = new URLSearchParams(params);
  const url = method === 'GET' ? `${baseUrl}${path}?${qs.toString()}` : `${baseUrl}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      body: method === 'POST' ? qs : undefined,
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    // undici says only "fetch failed"; name the server and the step instead.
    throw new Error(`${what}: no answer from ${baseUrl} (${(err as Error).message})`, { cause: err });
  }
  const body = await res.text();
  if (!res.ok) throw new NacosHttpError(res.status, body, what);
  return body;
}

/**
 * Logs in over the Open API and returns the accessToken to send as `accessToken` (query or form)
 * or `Authorization: Bearer`. Defaults to the stack's dev user from config.ts.
 */
export async function nacosLogin(
  username: string = nacos.username,
  password: string = nacos.password,
): Promise<string> {
  let body: string;
  try {
    body = await call('POST', '/v1/auth/login', { username, password }, `login as "${username}"`);
  } catch (err) {
    // Nacos 3.1 answers bad credentials with 403, or with a bare 500 when the auth plugin's
    // exception escapes the v1 compatibility filter; both mean the same to a caller.
    if (err instanceof NacosHttpError && (err.status === 403 || err.status === 500 || err.status === 401)) {
      throw new Error(
        `Nacos at ${baseUrl} refused login as "${username}": wrong username or password ` +
          `(HTTP ${err.status}; the stack's dev user is ${nacos.username}/${nacos.password}, see stack/src/config.ts)`,
        { cause: err },
      );
    }
    throw new Error(`Nacos not reachable on ${host}:${nacos.port} for login — run \`pnpm stack up\``, {
      cause: err,
    });
  }
  const token = (JSON.parse(body) as { accessToken?: unknown }).accessToken;
  if (typeof token !== 'string' || token === '') {
    throw new Error(`Nacos login as "${username}" answered without an accessToken: ${body.slice(0, 200)}`);
  }
  return token;
}

/** The version the server reports; its state endpoint is open even with auth on. */
async function serverVersion(): Promise<string> {
  const body = await call('GET', '/v3/admin/core/state', {}, 'server state');
  const version = (JSON.parse(body) as { data?: { version?: unknown } }).data?.version;
  return typeof version === 'string' ? version : 'unknown';
}

/** Healthy = answers its state, accepts the dev user, and serves an authenticated Open API call. */
async function probe(): Promise<string> {
  const version = await serverVersion();
  const accessToken = await nacosLogin();
  await call(
    'GET',
    '/v1/ns/instance/list',
    { serviceName: 'silk-stack-probe', accessToken },
    'instance list',
  );
  if (!(await portOpen(nacos.consolePort))) throw new Error(`console port ${nacos.consolePort} is not open`);
  return version;
}

interface Secrets {
  tokenSecret: string;
  identityKey: string;
  identityValue: string;
}

/** Generated on first start and kept, so tokens handed out before a restart stay valid. */
function secrets(): Secrets {
  if (existsSync(secretFile)) return JSON.parse(readFileSync(secretFile, 'utf8')) as Secrets;
  const s: Secrets = {
    // Nacos needs Base64 that decodes to at least 32 bytes (HMAC-SHA256 key).
    tokenSecret: randomBytes(32).toString('base64'),
    identityKey: 'silk-stack',
    identityValue: randomBytes(16).toString('hex'),
  };
  mkdirSync(home, { recursive: true });
  writeFileSync(secretFile, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  return s;
}

function writeConfig(): void {
  const s = secrets();
  const generated = [
    '',
    '#*************** Written by stack/src/servers/nacos.ts: do not edit here ***************#',
    `nacos.server.main.port=${nacos.port}`,
    `nacos.server.contextPath=${nacos.contextPath}`,
    `nacos.console.port=${nacos.consolePort}`,
    // Both web contexts listen on loopback only, like the rest of the local cluster.
    `server.address=${host}`,
    // Without it Nacos advertises the first non-loopback address as its own member address.
    `nacos.inetutils.ip-address=${host}`,
    // The jars' logback config defaults to ~/nacos/logs; keep logs with the rest of the state.
    `nacos.logs.path=${logDir}`,
    `server.tomcat.basedir=${home}`,
    `nacos.core.auth.plugin.nacos.token.secret.key=${s.tokenSecret}`,
    `nacos.core.auth.server.identity.key=${s.identityKey}`,
    `nacos.core.auth.server.identity.value=${s.identityValue}`,
    '',
  ].join('\n');
  mkdirSync(confDir, { recursive: true });
  const base = readFileSync(join(pomDir, 'application.properties'), 'utf8');
  writeFileSync(join(confDir, 'application.properties'), base + generated, { mode: 0o600 });
}

/** The pom with the configured version, so config.ts decides what Maven resolves. */
function versionedPomDir(): string {
  const pom = readFileSync(join(pomDir, 'pom.xml'), 'utf8');
  const re = /<nacos\.version>[^<]*<\/nacos\.version>/;
  if (!re.test(pom)) throw new StackError(NAME, `${pomDir}/pom.xml has no <nacos.version> property`);
  const dir = join(cacheDir, NAME, 'pom');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom.replace(re, `<nacos.version>${nacos.version}</nacos.version>`));
  return dir;
}

async function javaMajor(java: string): Promise<number> {
  // `-version` prints to stderr; the property listing names the spec version plainly.
  const { stderr } = await execFileAsync(java, ['-XshowSettings:properties', '-version']);
  const m = /java\.specification\.version = (\d+)/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

/** Resolves the classpath and compiles the launcher once per (source, classpath); cached. */
async function prepare(): Promise<{ java: string; classpath: string }> {
  const java = await javaBin(NAME);
  const major = await javaMajor(java);
  if (major < MIN_JAVA) {
    throw new StackError(
      NAME,
      `${java} is Java ${major}; Nacos ${nacos.version} needs Java ${MIN_JAVA}+ (set JAVA_HOME)`,
    );
  }
  const cp = await resolveClasspath(NAME, versionedPomDir());
  const source = join(pomDir, 'src', `${LAUNCHER}.java`);
  const key = createHash('sha256').update(readFileSync(source)).update(cp).digest('hex').slice(0, 16);
  const classes = join(cacheDir, NAME, `launcher-${key}`);
  if (!existsSync(join(classes, `${LAUNCHER}.class`))) {
    const javac = join(dirname(realpathSync(java)), 'javac');
    if (!existsSync(javac))
      throw new StackError(NAME, `no javac beside ${java}: install a JDK, not only a JRE`);
    try {
      await execFileAsync(javac, ['-d', classes, '-cp', cp, source], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new StackError(NAME, `javac could not compile ${source}:\n${e.stderr ?? e.message}`);
    }
  }
  return { java, classpath: `${classes}:${cp}` };
}

/**
 * Nacos 3 has no default password: the first admin is created over the API, and only while no admin
 * exists (afterwards it answers 409). Logins read users from a cache the auth plugin fills 5 s after
 * start and every 15 s after that, so a new admin, or any user right after a start, waits for it.
 */
async function ensureAdmin(): Promise<void> {
  const body = await call('POST', '/v3/auth/user/admin', { password: nacos.password }, 'create admin user');
  const code = (JSON.parse(body) as { code?: number }).code;
  if (code !== 0 && code !== 409)
    throw new StackError(NAME, `creating the admin user failed: ${body}`, serverLog);
  await waitFor(
    () =>
      nacosLogin().then(
        () => true,
        () => false,
      ),
    { server: NAME, what: `login as ${nacos.username}`, timeoutMs: 30_000, logFile: serverLog },
  ).catch(() => {
    throw new StackError(
      NAME,
      code === 409
        ? `an admin user already exists and "${nacos.username}" cannot log in with the configured password; ` +
            `reset it in the console or delete ${join(home, 'data')} to start from empty storage`
        : `created admin user "${nacos.username}" but it cannot log in`,
      serverLog,
    );
  });
}

async function healthyVersion(): Promise<string | undefined> {
  return probe().catch(() => undefined);
}

export const nacosServer: StackServer = {
  name: NAME,
  ports,

  async install() {
    await prepare();
  },

  async start() {
    if ((await healthyVersion()) !== undefined) return;
    let pid = livePid(pidFile);
    if (pid === undefined) {
      // A Nacos the stack did not start (another checkout, by hand) answers but is not healthy for
      // us. The usual reason is a fresh one without an admin yet, which ensureAdmin fixes; anything
      // else is reported, never fought over.
      const foreign = await serverVersion().catch(() => undefined);
      if (foreign !== undefined) {
        await ensureAdmin().catch((err: unknown) => {
          throw new StackError(
            NAME,
            `a Nacos ${foreign} not started by the stack answers on port ${nacos.port} but is not usable: ` +
              (err as Error).message,
          );
        });
        return;
      }
      await assertPortsFree(NAME, ports);
      const { java, classpath } = await prepare();
      writeConfig();
      mkdirSync(logDir, { recursive: true });
      pid = spawnDetached({
        server: NAME,
        command: java,
        args: [
          // Let the heap grow to the cap instead of committing it all up front: idle RSS stays low.
          `-Xms${Math.min(128, nacos.heapMb)}m`,
          `-Xmx${nacos.heapMb}m`,
          // Sized for two shared cores: one GC thread, and C1 only, which starts Nacos about a third
          // faster and keeps the code cache small; a dev server never runs long enough to need C2.
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          '-Dnacos.standalone=true',
          `-Dnacos.home=${home}`,
          '-Dfile.encoding=UTF-8',
          '-cp',
          classpath,
          LAUNCHER,
          // Nacos reads its application.properties from the last file: location given here.
          `--spring.config.additional-location=file:${confDir}/`,
        ],
        cwd: home,
        // glibc's default of 8 malloc arenas per core costs RSS in a JVM with ~200 threads
        // (Nacos' pools, gRPC, Tomcat) and buys nothing on two cores.
        env: { MALLOC_ARENA_MAX: '2' },
        logFile,
        pidFile,
      });
    }
    await waitFor(
      async () => {
        await serverVersion(); // throws until the server web context answers
        return portOpen(nacos.consolePort);
      },
      {
        server: NAME,
        what: `Nacos to answer on ${nacos.port} and its console on ${nacos.consolePort}`,
        // A first start on two busy cores creates the Derby schema and warms three Spring contexts.
        timeoutMs: 180_000,
        intervalMs: 1000,
        logFile,
        pid,
      },
    );
    await ensureAdmin();
  },

  async stop() {
    if (livePid(pidFile) !== undefined) await stopPid(pidFile, 30_000);
  },

  async status(): Promise<ServerStatus> {
    const pid = livePid(pidFile);
    try {
      const version = await probe();
      return {
        healthy: true,
        version,
        ports,
        ownedByStack: pid !== undefined,
        detail:
          pid !== undefined
            ? `pid ${pid}, console http://${host}:${nacos.consolePort}/ (${nacos.username}/${nacos.password})`
            : 'external server (not started by the stack)',
      };
    } catch (err) {
      return {
        healthy: false,
        version: nacos.version,
        ports,
        ownedByStack: pid !== undefined,
        detail: `${(err as Error).message}${pid !== undefined ? ` (pid ${pid}, log ${logFile})` : ''}`,
      };
    }
  },

  logFiles: () => [logFile, serverLog],
};
