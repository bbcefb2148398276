/**
 * The one place where the local cluster's ports, versions, credentials and paths are set.
 * Everything else (the CLI, tests, services, `.ci/run`) reads them from here.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runtime state of servers we start: data, logs, pid files. Never committed. */
export const stateDir = process.env.SILK_STACK_DIR ?? join(repoRoot, '.stack');

/** Downloads and assembled server classpaths, kept between runs (Maven's own cache is ~/.m2). */
export const cacheDir = process.env.SILK_CACHE_DIR ?? join(homedir(), '.cache', 'silk');

export const host = '127.0.0.1';

export const mariadb = {
  port: 3306,
  /** Application user the services and tests use; root stays socket-only. */
  user: 'silk',
  password: 'silk',
  /** One database per service of the demo estate, plus shards and the coordinator. */
  databases: [
    'silk_test',
    'silk_order',
    'silk_storage',
    'silk_account',
    'silk_notification',
    'silk_tx',
    'silk_shard_0',
    'silk_shard_1',
  ],
} as const;

/**
 * A second MariaDB that replicates the stack's MariaDB (GTID, seeded from a dump), so
 * read/write splitting is tested against real replication lag and a real replica outage.
 */
export const mariadbReplica = {
  port: 3307,
  /** Must differ from the primary's --server-id=1. */
  serverId: 2,
  /** Databases it replicates; everything else on the primary (throwaway test schemas) is not. */
  databases: mariadb.databases,
} as const;

export const redis = {
  port: 6379,
} as const;

export const nacos = {
  /** io.github.pig-mesh.nacos build of Nacos; the only 3.x one the registry serves (stack/java/nacos/pom.xml). */
  version: '3.1.0-bugfix',
  /** Main HTTP port: Open API under /nacos. */
  port: 8848,
  /** Client gRPC port, fixed by Nacos at main port + 1000. */
  grpcPort: 9848,
  /** Nacos 3 serves its console UI on its own port with an empty context path. */
  consolePort: 8080,
  contextPath: '/nacos',
  /** The documented dev user: Nacos' own default admin name, with a dev password set by `stack up`. */
  username: 'nacos',
  password: 'nacos',
  heapMb: 512,
} as const;

export const rocketmq = {
  /**
   * The org.apache.rocketmq artifacts run from Maven Central (stack/java/rocketmq/pom.xml must say
   * the same). Not 5.5.x: from 5.5.0 on (5.5.1 alike) the broker's TransactionalOpBatchService
   * busy-loops on one core for good once any transactional message has been ended and the op
   * queue drained (apache/rocketmq#10966, fix #10967 not released) — on this 2-core machine that
   * took half the CPU from every test and bench run after the first transaction test. 5.4.0 has
   * no such loop.
   */
  version: '5.4.0',
  namesrvPort: 9876,
  /** Broker remoting port; the broker also binds brokerPort - 2 (VIP channel) and + 1 (HA). */
  brokerPort: 10911,
  /** The gRPC endpoint `rocketmq-client-nodejs` speaks to. */
  proxyGrpcPort: 8081,
  /** Moved off its default 8080, which the Nacos 3 console takes. */
  proxyRemotingPort: 18080,
  clusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  /** Name server JVM heap. */
  namesrvHeapMb: 128,
  /** Heap of the one JVM that runs the broker and the proxy (Local mode); direct memory matches it. */
  heapMb: 512,
  /** Created by `stack up` (the proxy rejects a message whose type differs from its topic's). */
  topics: [
    { name: 'silk-test-normal', messageType: 'NORMAL' },
    { name: 'silk-test-fifo', messageType: 'FIFO' },
    { name: 'silk-test-delay', messageType: 'DELAY' },
    { name: 'silk-test-tx', messageType: 'TRANSACTION' },
    // The demo estate's order events (services/order publishes, services/notification consumes).
    { name: 'shop-order-events', messageType: 'TRANSACTION' },
    // Cache invalidations from any writer, Java included (platform-sdk cache/mq-invalidation.ts).
    { name: 'silk-cache-invalidation', messageType: 'NORMAL' },
  ],
  /**
   * Consumer groups created by `stack up`. Over gRPC a group consumes FIFO topics in order only
   * when the group is orderly (the proxy reads consumeMessageOrderly from the group's config).
   */
  consumerGroups: [
    { name: 'silk-test-fifo-group', orderly: true },
    // The demo estate's consumer of order events (services/notification).
    { name: 'notification-service' },
  ],
} as const;

/**
 * The Sentinel dashboard: optional (`pnpm stack up sentinel-dashboard`, and the demo estate).
 * 0.1.1 is the newest com.alibaba.csp:sentinel-dashboard on Maven Central.
 */
export const sentinelDashboard = {
  version: '0.1.1',
  port: 8858,
  heapMb: 192,
} as const;

export const endpoints = {
  nacos: `${host}:${nacos.port}`,
  rocketmqProxy: `${host}:${rocketmq.proxyGrpcPort}`,
  rocketmqNamesrv: `${host}:${rocketmq.namesrvPort}`,
} as const;
