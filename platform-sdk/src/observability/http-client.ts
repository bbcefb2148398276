/**
 * An outbound HTTP call observed as Spring Boot 3 observes a RestTemplate/WebClient call: a
 * CLIENT span (child of the current span) whose context goes out in the produced formats, and
 * `http_client_requests_seconds{client_name,method,uri,status,outcome,exception,error}` —
 * `client_name` the service called, `uri` the template the caller named or `none` (Boot's
 * value when there is no template: a raw path per id would explode the series).
 */
import {
  SpanKind,
  SpanStatusCode,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_FULL,
} from './otel-api.js';
import { CLIENT_TAGS, exceptionTag, outcomeOf } from './http-conventions.js';
import { currentMeters, injectTraceContext, withSpan } from './spans.js';

export interface ClientCallInfo {
  /** The service (or host) called. */
  clientName: string;
  method: string;
  url: string;
  /** `/orders/{id}`: the low-cardinality name of what was called. */
  uriTemplate?: string;
}

/**
 * Runs `call` inside a CLIENT span; `call` gets the trace headers to send. The span and timer
 * end when the returned promise settles (with the response head: a body still streaming is
 * the caller's).
 */
export function observeClientCall<R extends { status: number }>(
  info: ClientCallInfo,
  call: (traceHeaders: Record<string, string>) => Promise<R>,
): Promise<R> {
  const meters = currentMeters();
  const started = performance.now();
  const uri = info.uriTemplate ?? 'none';
  const record = (status: string, outcome: string, err: unknown): void => {
    const exception = exceptionTag(err);
    meters?.timer('http_client_requests', 'Duration of outbound HTTP requests', CLIENT_TAGS).record(
      {
        client_name: info.clientName,
        method: info.method,
        uri,
        status,
        outcome,
        exception,
        error: exception,
      },
      (performance.now() - started) / 1000,
    );
  };
  const name = info.uriTemplate ? `${info.method} ${info.uriTemplate}` : info.method;
  return withSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: info.method,
        [ATTR_SERVER_ADDRESS]: info.clientName,
        [ATTR_URL_FULL]: info.url,
      },
    },
    async (span) => {
      const headers: Record<string, string> = {};
      injectTraceContext(headers);
      try {
        const result = await call(headers);
        span?.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.status);
        if (result.status >= 400) span?.setStatus({ code: SpanStatusCode.ERROR });
        record(String(result.status), outcomeOf(result.status), undefined);
        return result;
      } catch (err) {
        // Boot's tags for a call that got no response at all.
        record('CLIENT_ERROR', 'UNKNOWN', err);
        throw err;
      }
    },
  );
}
