/**
 * Mounting the gateway in a Fastify app (a bare one, or the app of `createService`, which makes
 * the gateway a Silk service registered in Nacos with Actuator health). Routes the app declares
 * itself win over the gateway's catch-all; request bodies are left unread for the gateway to
 * stream; HTTP upgrades on the app's server go to the gateway's WebSocket pass-through.
 */
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from './gateway.js';

export async function registerGateway(app: FastifyInstance, gateway: Gateway): Promise<void> {
  await app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    // Leave the body stream untouched: the proxy pipes it to the upstream as it arrives.
    scope.addContentTypeParser('*', (_req, _payload, next) => next(null));
    scope.all('/*', (req, reply) => {
      reply.hijack();
      return gateway.handle(req.raw, reply.raw);
    });
    done();
  });
  app.server.on('upgrade', (req, socket, head: Buffer) => void gateway.upgrade(req, socket, head));
}

/**
 * The gateway on a bare node:http server, for deployments that need no other routes: no
 * framework between the socket and the gateway, which saves Fastify's per-request work.
 */
export function createGatewayServer(gateway: Gateway): Server {
  const server = createServer((req, res) => void gateway.handle(req, res));
  server.on('upgrade', (req, socket, head: Buffer) => void gateway.upgrade(req, socket, head));
  return server;
}
