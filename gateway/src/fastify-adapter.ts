/**
 * Mounting the gateway in a Fastify app (a bare one, or the app of `createService`, which makes
 * the gateway a Silk service registered in Nacos with Actuator health). Routes the app declares
 * itself win over the gateway's catch-all; request bodies are left unread for the gateway to
 * stream; HTTP upgrades on the app's server go to the gateway's WebSocket pass-through.
 *
 * Requests arriving on the app's server skip Fastify's request cycle when no route of the app
 * claims them: the server's request listener asks Fastify's router (so routing precedence is
 * Fastify's own) and hands everything else straight to the gateway. Fastify's per-request work
 * (its Request/Reply objects, hooks, request logging) cost the gateway about a tenth of its CPU
 * per request in the throughput benchmark, and none of it serves a proxied request: the
 * gateway opens its own SERVER span and records spring.cloud.gateway.requests and, in place of
 * Fastify's hooks, http_server_requests. `inject()` and anything else that enters Fastify
 * directly still reaches the gateway through the catch-all (timed by Fastify's hooks, if any).
 *
 * Before node:http even parses them, plain bodiless HTTP/1.1 requests are read off the socket by
 * the raw front (front/raw-front.ts), which asks the same router question and hands the
 * connection to node:http for anything else (`front: 'node'` turns it off).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { installRawFront } from './front/raw-front.js';
import type { Gateway } from './gateway.js';

export interface MountOptions {
  /** True once the process is shutting down: proxied answers then close their connection. */
  closing?: () => boolean;
  /**
   * `raw` (default): simple requests are parsed off the socket by the raw front; `node`: every
   * request goes through node:http's parser and objects.
   */
  front?: 'raw' | 'node';
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export async function registerGateway(
  app: FastifyInstance,
  gateway: Gateway,
  opts: MountOptions = {},
): Promise<void> {
  const closing = opts.closing;
  await app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    // Leave the body stream untouched: the proxy pipes it to the upstream as it arrives.
    scope.addContentTypeParser('*', (_req, _payload, next) => next(null));
    scope.all('/*', (req, reply) => {
      reply.hijack();
      if (closing?.() === true) reply.raw.setHeader('connection', 'close');
      return gateway.handle(req.raw, reply.raw);
    });
    done();
  });
  const server = app.server;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length === 1) {
    const fastify = listeners[0]!;
    server.removeListener('request', fastify);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (appClaims(app, req.method ?? 'GET', req.url ?? '/')) return fastify(req, res);
      if (closing?.() === true) res.setHeader('connection', 'close');
      void gateway.handle(req, res, true);
    });
    if (opts.front !== 'node')
      installRawFront(server, (req, res) => void gateway.handle(req, res, true), {
        claims: (method, url) => appClaims(app, method, url),
        ...(closing !== undefined ? { closing } : {}),
      });
  }
  app.server.on('upgrade', (req, socket, head: Buffer) => void gateway.upgrade(req, socket, head));
}

/** A route of the app's own (not the gateway's catch-all) matches the request. */
function appClaims(app: FastifyInstance, method: string, url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const route = app.findRoute({ method, url: path });
  if (route === null) return false;
  // The catch-all `/*` captures the whole path after its slash; an app's own wildcard route
  // (`/actuator/*`) captures less.
  const star = (route.params as Record<string, string | undefined>)['*'];
  return star === undefined || star.length < path.length - 1;
}

/**
 * The gateway on a bare node:http server, for deployments that need no other routes: no
 * framework between the socket and the gateway.
 */
export function createGatewayServer(gateway: Gateway, opts: Pick<MountOptions, 'front'> = {}): Server {
  const server = createServer((req, res) => void gateway.handle(req, res, true));
  server.on('upgrade', (req, socket, head: Buffer) => void gateway.upgrade(req, socket, head));
  if (opts.front !== 'node') installRawFront(server, (req, res) => void gateway.handle(req, res, true));
  return server;
}
