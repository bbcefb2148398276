/**
 * The TC's admin HTTP port: the global transactions with their branches and held locks
 * (what Seata's console lists), the connected clients, Prometheus metrics and a health probe.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { globalStatusName } from '@silk/platform-sdk/tx';
import type { TcMetrics } from './metrics.js';
import type { RmChannels } from './rm-channels.js';
import type { SessionStore } from './session-store.js';

export function buildAdmin(store: SessionStore, rms: RmChannels, metrics: TcMetrics, owner: string): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/admin/transactions', async () => {
    const sessions = await store.list();
    const out = [];
    for (const { global: g, branches } of sessions)
      out.push({
        ...g,
        statusName: globalStatusName(g.status),
        branches,
        locks: await store.locksOf(g.xid),
      });
    return { owner, transactions: out };
  });
  app.get('/admin/clients', () => ({ clients: rms.list() }));
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/health', () => ({ status: 'UP' }));
  return app;
}
