/**
 * Sentinel around Fastify routes, as Sentinel's Spring Web MVC adapter guards controllers in a
 * Spring Cloud Alibaba app, so rules written for a Java service apply unchanged to a Silk one:
 *
 * - the resource is the route's template (`/orders/:id` here, `/orders/{id}` in Spring — use
 *   the template the route declares), prefixed `GET:` when `httpMethodSpecify` is on;
 * - every request enters the unified context `sentinel_spring_web_context` (or a context per
 *   resource when `webContextUnify` is off), with the origin from a header when configured;
 * - entries are inbound (`EntryType.IN`), so system rules see them;
 * - a block answers 429 with Java's default body; an error thrown by the handler counts as an
 *   exception for degrade rules; requests that match no route are not resources (Java skips
 *   them too, having no best-matching pattern).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ResourceType, type BlockResult, type Entry, type Sentinel } from '../sentinel/index.js';
import { recordSentinelBlock } from '../observability/spans.js';

/** Java: SentinelWebInterceptor's SENTINEL_SPRING_WEB_CONTEXT_NAME. */
export const SPRING_WEB_CONTEXT_NAME = 'sentinel_spring_web_context';
/** Java: DefaultBlockExceptionHandler's body. */
export const DEFAULT_BLOCK_BODY = 'Blocked by Sentinel (flow limiting)';

export interface SentinelWebOptions {
  sentinel: Sentinel;
  /** `spring.cloud.sentinel.http-method-specify`: resource `GET:/path`; default false. */
  httpMethodSpecify?: boolean;
  /** `spring.cloud.sentinel.web-context-unify`: one context for all routes; default true. */
  webContextUnify?: boolean;
  /** Header naming the caller (Java: a RequestOriginParser); no origin when unset. */
  originHeader?: string;
  /** Status on block; default 429 as Java. */
  blockStatus?: number;
  /** Body on block; default Java's `Blocked by Sentinel (flow limiting)`. */
  blockBody?: string;
  /** `spring.cloud.sentinel.block-page`: redirect a blocked request there (302), as SCA does. */
  blockPage?: string;
  /** Reply on block; default Java's plain-text body. */
  blockHandler?: (block: BlockResult, request: FastifyRequest, reply: FastifyReply) => unknown;
  /** Routes that are never resources; default the Actuator endpoints, so probes are never blocked. */
  exclude?: (routeUrl: string) => boolean;
}

const entries = new WeakMap<FastifyRequest, Entry>();

const excludeActuator = (url: string): boolean => url.startsWith('/actuator');

export function registerSentinelWeb(app: FastifyInstance, opts: SentinelWebOptions): void {
  const { sentinel } = opts;
  const exclude = opts.exclude ?? excludeActuator;
  const unify = opts.webContextUnify ?? true;
  const blockStatus = opts.blockStatus ?? 429;
  const onBlock =
    opts.blockHandler ??
    ((_b: BlockResult, _req: FastifyRequest, reply: FastifyReply) =>
      opts.blockPage !== undefined
        ? reply.redirect(opts.blockPage, 302)
        : reply
            .code(blockStatus)
            .type('text/plain; charset=utf-8')
            .send(opts.blockBody ?? DEFAULT_BLOCK_BODY));

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || exclude(url)) return;
    const resource = opts.httpMethodSpecify ? `${request.method}:${url}` : url;
    const header = opts.originHeader === undefined ? undefined : request.headers[opts.originHeader];
    const origin = typeof header === 'string' ? header : '';
    const result = sentinel.entry(resource, {
      context: sentinel.context(unify ? SPRING_WEB_CONTEXT_NAME : resource, origin),
      entryType: 'IN',
      resourceType: ResourceType.COMMON_WEB,
    });
    if (result.blocked) {
      recordSentinelBlock(result);
      // onBlock may choose the status, so rate-limited answers are counted by the engine only.
      await onBlock(result, request, reply);
      return reply;
    }
    entries.set(request, result);
    if (result.waitMs > 0) await new Promise((r) => setTimeout(r, result.waitMs));
  });

  app.addHook('onError', async (request, _reply, error) => {
    entries.get(request)?.setError(error);
  });

  const exit = (request: FastifyRequest): void => {
    const entry = entries.get(request);
    entries.delete(request);
    if (entry !== undefined && !entry.exited) entry.exit();
  };
  app.addHook('onResponse', (request, _reply, done) => (exit(request), done()));
  // A client that hangs up never gets a response; its entry still has to leave (thread grade).
  app.addHook('onRequestAbort', (request, done) => (exit(request), done()));
}
