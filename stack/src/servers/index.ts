/**
 * The servers of the local cluster, in start order, grouped: servers in one group start
 * together, groups start one after another. `down` walks the list in reverse.
 */
import type { StackServer } from '../server.js';
import { mariadbServer } from './mariadb.js';
import { redisServer } from './redis.js';

export const serverGroups: StackServer[][] = [[mariadbServer, redisServer]];

export const allServers: StackServer[] = serverGroups.flat();
