/**
 * RocketMQ 5 from the official org.apache.rocketmq artifacts on Maven Central, run on the local
 * JDK in two JVMs: the name server, and the proxy in Local mode, which builds the broker inside
 * its own JVM (what `mqbroker --enable-proxy` does), so the gRPC endpoint the Node client speaks
 * and the broker share one heap.
 *
 * Everything lives under `.stack/rocketmq/`: generated configs in `conf/`, the message store in
 * `store/`, the JVMs' console output and RocketMQ's own logs in `logs/`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host, rocketmq, stateDir } from '../config.js';
import { javaBin, javaPomDir, resolveClasspath } from '../java.js';
import { assertPortsFree, livePid, spawnDetached, stopPid, waitFor } from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';
import { ensureConsumerGroups, ensureTopics } from './rocketmq-admin.js';
import {
  brokerRegistered,
  brokerVersion,
  CODE_OK,
  CODE_TOPIC_NOT_FOUND,
  proxyQueryRoute,
} from './rocketmq-probe.js';

export { deleteConsumerGroups, ensureConsumerGroups, ensureTopics } from './rocketmq-admin.js';
export type { ConsumerGroupSpec, TopicMessageType, TopicSpec } from './rocketmq-admin.js';

const NAME = 'rocketmq';
const dir = join(stateDir, NAME);
const confDir = join(dir, 'conf');
const storeDir = join(dir, 'store');
const logsDir = join(dir, 'logs');
/** RocketMQ's logback files write to ${user.home}/logs/rocketmqlogs; user.home is set to `dir`. */
const rocketmqLogsDir = join(logsDir, 'rocketmqlogs');
const namesrvPidFile = join(dir, 'namesrv.pid');
const proxyPidFile = join(dir, 'proxy.pid');
const namesrvOut = join(logsDir, 'namesrv.out');
const proxyOut = join(logsDir, 'proxy.out');

const namesrvAddr = `${host}:${rocketmq.namesrvPort}`;
const brokerAddr = `${host}:${rocketmq.brokerPort}`;

const ports = {
  namesrv: rocketmq.namesrvPort,
  broker: rocketmq.brokerPort,
  brokerVip: rocketmq.brokerPort - 2,
  brokerHa: rocketmq.brokerPort + 1,
  proxyGrpc: rocketmq.proxyGrpcPort,
  proxyRemoting: rocketmq.proxyRemotingPort,
};

// Two cores: a cold JVM with the broker's 150 jars takes a while, more when Nacos starts too.
const NAMESRV_TIMEOUT_MS = 60_000;
const PROXY_TIMEOUT_MS = 120_000;

const MB = 1024 * 1024;

/** broker.conf: a loopback master with a store sized for tests, not production. */
function brokerConf(): string {
  const conf: Record<string, string | number | boolean> = {
    brokerClusterName: rocketmq.clusterName,
    brokerName: rocketmq.brokerName,
    brokerId: 0,
    brokerRole: 'ASYNC_MASTER',
    flushDiskType: 'ASYNC_FLUSH',
    namesrvAddr,
    brokerIP1: host,
    bindAddress: host,
    listenPort: rocketmq.brokerPort,
    storePathRootDir: storeDir,
    storePathCommitLog: join(storeDir, 'commitlog'),
    // Production sizes pre-allocate a 1 GiB commit log and a ~400 MB index file; these are
    // mapped files, so smaller ones mean less disk and page cache for the same test traffic.
    mappedFileSizeCommitLog: 64 * MB,
    mappedFileSizeConsumeQueue: 60_000, // a multiple of the 20-byte consume queue unit
    mappedFileSizeTimerLog: 16 * MB,
    maxHashSlotNum: 50_000,
    maxIndexNum: 200_000,
    fileReservedTime: 24,
    // Only remoting clients (Java's DefaultMQProducer) get topics auto-created: a gRPC client is
    // refused a route for a topic that does not exist (TOPIC_NOT_FOUND), so Silk's topics are
    // declared and created with their message type. Groups are auto-created for gRPC clients too.
    autoCreateTopicEnable: true,
    autoCreateSubscriptionGroup: true,
  };
  return Object.entries(conf)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n');
}

/** rmq-proxy.json: Local mode, gRPC on the port the Node client dials, remoting off 8080. */
function proxyConf(): string {
  return JSON.stringify(
    {
      rocketMQClusterName: rocketmq.clusterName,
      proxyMode: 'local',
      namesrvAddr,
      brokerConfigPath: join(confDir, 'broker.conf'),
      grpcServerPort: rocketmq.proxyGrpcPort,
      remotingListenPort: rocketmq.proxyRemotingPort,
      // The proxy caches routes, "no such topic" included, and refreshes them every 20 s by
      // default: a topic created right after a client asked for it would stay invisible that long.
      topicRouteServiceCacheRefreshSeconds: 2,
    },
    null,
    2,
  );
}

function writeConfigs(): void {
  mkdirSync(confDir, { recursive: true });
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(rocketmqLogsDir, { recursive: true });
  writeFileSync(join(confDir, 'namesrv.conf'), `listenPort=${rocketmq.namesrvPort}\nbindAddress=${host}\n`);
  writeFileSync(join(confDir, 'broker.conf'), `${brokerConf()}\n`);
  writeFileSync(join(confDir, 'rmq-proxy.json'), `${proxyConf()}\n`);
}

/** JVM options both servers share; `logback` picks the server's own file among the jars'. */
function jvmArgs(heapMb: number, logback: string, classpath: string): string[] {
  return [
    `-Xms${Math.max(32, heapMb / 4)}m`,
    `-Xmx${heapMb}m`,
    `-XX:MaxDirectMemorySize=${heapMb}m`,
    // One GC thread and no concurrent GC threads: two cores are shared with everything else.
    '-XX:+UseSerialGC',
    '-XX:-OmitStackTraceInFastThrow',
    `-Duser.home=${dir}`,
    `-Drocketmq.home.dir=${dir}`,
    // With every server jar on one classpath the proxy's logback file would win everywhere.
    `-Drmq.logback.configurationFile=${logback}`,
    '-cp',
    classpath,
  ];
}

async function namesrvUp(): Promise<boolean> {
  try {
    await brokerRegistered(rocketmq.namesrvPort, rocketmq.brokerName, brokerAddr);
    return true;
  } catch {
    return false;
  }
}

/**
 * The proxy answers QueryRoute with a RocketMQ status. The topic asked for is one nobody
 * creates: asking for a declared topic before it exists would leave "no such topic" in the
 * proxy's route cache.
 */
async function proxyUp(): Promise<boolean> {
  const code = await proxyQueryRoute(rocketmq.proxyGrpcPort, 'silk-stack-health-probe');
  return code === CODE_OK || code === CODE_TOPIC_NOT_FOUND;
}

/** Healthy: the broker is registered with the name server and the proxy serves gRPC. */
async function healthy(): Promise<boolean> {
  try {
    return (
      (await brokerRegistered(rocketmq.namesrvPort, rocketmq.brokerName, brokerAddr)) && (await proxyUp())
    );
  } catch {
    return false;
  }
}

async function ensureDeclared(): Promise<void> {
  await ensureTopics(rocketmq.topics);
  await ensureConsumerGroups(rocketmq.consumerGroups);
}

function assertPomVersion(): void {
  const pom = readFileSync(join(javaPomDir(NAME), 'pom.xml'), 'utf8');
  const v = /<rocketmq\.version>([^<]+)<\/rocketmq\.version>/.exec(pom)?.[1];
  if (v !== rocketmq.version) {
    throw new StackError(
      NAME,
      `stack/java/rocketmq/pom.xml resolves ${v ?? '?'} but config says ${rocketmq.version}`,
    );
  }
}

export const rocketmqServer: StackServer = {
  name: NAME,
  ports,

  async install() {
    assertPomVersion();
    await javaBin(NAME);
    await resolveClasspath(NAME, javaPomDir(NAME));
  },

  async start() {
    if (await healthy()) {
      // Already serving (ours or not): only create what the config declares and is missing.
      await ensureDeclared();
      return;
    }
    assertPomVersion();
    const java = await javaBin(NAME);
    const classpath = await resolveClasspath(NAME, javaPomDir(NAME));
    writeConfigs();

    let namesrvPid = livePid(namesrvPidFile);
    let proxyPid = livePid(proxyPidFile);
    const startNamesrv = namesrvPid === undefined && !(await namesrvUp());
    // Check every port we are about to bind before spawning anything, so a taken port fails the
    // start without leaving half a cluster behind.
    const { namesrv, ...brokerPorts } = ports;
    await assertPortsFree(NAME, {
      ...(startNamesrv ? { namesrv } : {}),
      ...(proxyPid === undefined ? brokerPorts : {}),
    });
    if (startNamesrv) {
      namesrvPid = spawnDetached({
        server: NAME,
        command: java,
        args: [
          ...jvmArgs(rocketmq.namesrvHeapMb, 'rmq.namesrv.logback.xml', classpath),
          'org.apache.rocketmq.namesrv.NamesrvStartup',
          '-c',
          join(confDir, 'namesrv.conf'),
        ],
        logFile: namesrvOut,
        pidFile: namesrvPidFile,
        cwd: dir,
      });
    }
    await waitFor(namesrvUp, {
      server: NAME,
      what: `the name server to answer on ${rocketmq.namesrvPort}`,
      timeoutMs: NAMESRV_TIMEOUT_MS,
      logFile: existsSync(namesrvOut) ? namesrvOut : undefined,
      pid: namesrvPid,
    });

    if (proxyPid === undefined) {
      proxyPid = spawnDetached({
        server: NAME,
        command: java,
        args: [
          ...jvmArgs(rocketmq.heapMb, 'rmq.proxy.logback.xml', classpath),
          'org.apache.rocketmq.proxy.ProxyStartup',
          '-pm',
          'local',
          '-pc',
          join(confDir, 'rmq-proxy.json'),
        ],
        logFile: proxyOut,
        pidFile: proxyPidFile,
        cwd: dir,
      });
    }
    await waitFor(healthy, {
      server: NAME,
      what: `the broker to register with the name server and the proxy to serve gRPC on ${rocketmq.proxyGrpcPort} (RocketMQ's own logs: ${rocketmqLogsDir})`,
      timeoutMs: PROXY_TIMEOUT_MS,
      intervalMs: 1000,
      // Where a JVM that dies at startup prints its stack trace.
      logFile: proxyOut,
      pid: proxyPid,
    });
    await ensureDeclared();
  },

  async stop() {
    // The broker unregisters from the name server on shutdown, so it goes first.
    await stopPid(proxyPidFile, 30_000);
    await stopPid(namesrvPidFile);
  },

  async status(): Promise<ServerStatus> {
    const namesrvPid = livePid(namesrvPidFile);
    const proxyPid = livePid(proxyPidFile);
    const owned = namesrvPid !== undefined || proxyPid !== undefined;
    const pids = owned
      ? `namesrv pid ${namesrvPid ?? '-'}, broker+proxy pid ${proxyPid ?? '-'}`
      : 'not started by the stack';
    let registered = false;
    let why = '';
    try {
      registered = await brokerRegistered(rocketmq.namesrvPort, rocketmq.brokerName, brokerAddr);
      if (!registered) why = `broker ${brokerAddr} is not registered with the name server`;
      else if (!(await proxyUp())) why = 'proxy answered QueryRoute with an unexpected status';
    } catch (err) {
      why = (err as Error).message;
    }
    const version = registered
      ? await brokerVersion(rocketmq.brokerPort).catch(() => rocketmq.version)
      : rocketmq.version;
    return {
      healthy: why === '',
      version,
      ports,
      ownedByStack: owned,
      detail: why === '' ? `${pids}; logs ${logsDir}` : `${why}; ${pids}`,
    };
  },

  logFiles: () => [
    namesrvOut,
    proxyOut,
    join(rocketmqLogsDir, 'namesrv.log'),
    join(rocketmqLogsDir, 'broker.log'),
    join(rocketmqLogsDir, 'proxy.log'),
  ],
};
