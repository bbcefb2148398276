/**
 * The servers of the local cluster, in start order, grouped: servers in one group start
 * together, groups start one after another. `down` walks the list in reverse.
 */
import type { StackServer } from '../server.js';
import { mariadbServer } from './mariadb.js';
import { mariadbReplicaServer } from './mariadb-replica.js';
import { nacosServer } from './nacos.js';
import { redisServer } from './redis.js';
import { rocketmqServer } from './rocketmq.js';
import { sentinelDashboardServer } from './sentinel-dashboard.js';

// The two JVMs start side by side: each spends most of its start waiting, not computing. The
// replica needs its primary up to seed from, so it starts in the second group.
export const serverGroups: StackServer[][] = [
  [mariadbServer, redisServer],
  [nacosServer, rocketmqServer, mariadbReplicaServer],
];

export const allServers: StackServer[] = serverGroups.flat();

/**
 * Servers started only when named (`pnpm stack up sentinel-dashboard`): nothing the tests need,
 * and CI time matters. They start after the default groups and depend on none of them.
 */
export const optionalServers: StackServer[] = [sentinelDashboardServer];

export { sentinelDashboardServer, sentinelDashboardUrl, startSentinelDashboard } from './sentinel-dashboard.js';
