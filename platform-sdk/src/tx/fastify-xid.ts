/**
 * Restores the XID of an inbound HTTP request (Seata's `TX_XID` header, which
 * `http/`'s ServiceClient sends) into the request context, so AT statements in the handler
 * join the caller's global transaction. A stop-gap until `fastify/` does this for every
 * Silk service: the hook runs as the last preHandler, so the handler runs inside the context.
 */
import type { FastifyInstance } from 'fastify';
import { CONTEXT_KEYS, withContext } from '../core/index.js';

export function installTxXidHook(app: FastifyInstance): void {
  const header = CONTEXT_KEYS.xid.toLowerCase();
  app.addHook('preHandler', (req, _reply, done) => {
    const raw = req.headers[header];
    const xid = Array.isArray(raw) ? raw[0] : raw;
    if (xid) withContext({ xid }, done);
    else done();
  });
}
