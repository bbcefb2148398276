/**
 * OpenTelemetry's API and semantic conventions, as the copies the OpenTelemetry packages use.
 *
 * Both packages ship an ES module build and a CommonJS build. An `import` from Silk's ES modules
 * takes the ES build, while `@opentelemetry/core` and the exporters `require` the CommonJS one,
 * so a service loaded and kept each package twice: some 60 modules more and ~2.5 MB of an idle
 * service's RSS (silk-service-idle bench; the semantic conventions alone are ~350 KB of source
 * per copy). Requiring them here shares the one copy the rest of OpenTelemetry already loads.
 * The API keeps its global state under a registered symbol either way, so this changes which
 * module instances run, not what they do. Import values from here; types from the packages.
 */
import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';
import type * as Semconv from '@opentelemetry/semantic-conventions';

const load = createRequire(import.meta.url);
const api = load('@opentelemetry/api') as typeof Api;
const semconv = load('@opentelemetry/semantic-conventions') as typeof Semconv;

export const { ROOT_CONTEXT, context, createContextKey, diag, isSpanContextValid, trace } = api;

// The enums, as a value and a type each, like the package's own exports.
export const SpanKind = api.SpanKind;
export type SpanKind = Api.SpanKind;
export const SpanStatusCode = api.SpanStatusCode;
export type SpanStatusCode = Api.SpanStatusCode;
export const TraceFlags = api.TraceFlags;
export type TraceFlags = Api.TraceFlags;

export const {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
} = semconv;
