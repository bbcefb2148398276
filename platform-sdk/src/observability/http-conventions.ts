/**
 * Micrometer's and Spring Boot 3's tag values for HTTP observations, shared by the server
 * and client instrumentation: `outcome` from the status class, `exception`/`error` as the
 * exception's simple class name or `none`, `uri` as the route template in Spring's spelling.
 */
export type Outcome =
  'INFORMATIONAL' | 'SUCCESS' | 'REDIRECTION' | 'CLIENT_ERROR' | 'SERVER_ERROR' | 'UNKNOWN';

export function outcomeOf(status: number | undefined): Outcome {
  if (status === undefined) return 'UNKNOWN';
  if (status >= 100 && status < 200) return 'INFORMATIONAL';
  if (status >= 200 && status < 300) return 'SUCCESS';
  if (status >= 300 && status < 400) return 'REDIRECTION';
  if (status >= 400 && status < 500) return 'CLIENT_ERROR';
  if (status >= 500 && status < 600) return 'SERVER_ERROR';
  return 'UNKNOWN';
}

export function exceptionTag(err: unknown): string {
  if (err === undefined || err === null) return 'none';
  if (err instanceof Error) return err.constructor.name || err.name;
  return typeof err;
}

/**
 * Fastify's `/orders/:id` as Spring writes it, `/orders/{id}`, and `*` as `**`; with no route
 * matched, Boot's fallbacks: REDIRECTION for 3xx, NOT_FOUND for 404, else UNKNOWN.
 */
export function uriTag(routeUrl: string | undefined, status: number): string {
  if (routeUrl === undefined) {
    if (status >= 300 && status < 400) return 'REDIRECTION';
    if (status === 404) return 'NOT_FOUND';
    return 'UNKNOWN';
  }
  if (routeUrl === '') return 'root';
  return routeUrl.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/\*/g, '**');
}

export const SERVER_TAGS = ['method', 'uri', 'status', 'outcome', 'exception', 'error'] as const;
export const CLIENT_TAGS = [
  'client_name',
  'method',
  'uri',
  'status',
  'outcome',
  'exception',
  'error',
] as const;
export type ServerTag = (typeof SERVER_TAGS)[number];
export type ClientTag = (typeof CLIENT_TAGS)[number];
