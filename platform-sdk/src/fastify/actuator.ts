/**
 * Health and info endpoints in the shape of Spring Boot Actuator, so Spring Boot Admin,
 * Kubernetes probes and the estate's scripts read a Silk service as they read a Java one:
 *
 *   GET /actuator/health            {"status":"UP","components":{"<name>":{"status":..,"details":{..}}}}
 *   GET /actuator/health/liveness   {"status":"UP"} while the process serves at all
 *   GET /actuator/health/readiness  UP only when started and every component is UP
 *   GET /actuator/info              {"app":{...}} plus what the service adds
 *   GET /actuator/prometheus        the Prometheus text format, when metrics are given
 *
 * As in Actuator, an aggregate that is not UP answers 503 (OUT_OF_SERVICE and DOWN alike).
 */
import type { FastifyInstance } from 'fastify';

export type HealthStatus = 'UP' | 'DOWN' | 'OUT_OF_SERVICE' | 'UNKNOWN';

export interface Health {
  status: HealthStatus;
  details?: Record<string, unknown>;
}

export type HealthIndicator = () => Health | Promise<Health>;

/** Actuator's default order: the worst status wins. */
const SEVERITY: HealthStatus[] = ['DOWN', 'OUT_OF_SERVICE', 'UP', 'UNKNOWN'];

export function aggregate(statuses: readonly HealthStatus[]): HealthStatus {
  if (statuses.length === 0) return 'UP';
  return [...statuses].sort((a, b) => SEVERITY.indexOf(a) - SEVERITY.indexOf(b))[0]!;
}

export interface ActuatorOptions {
  indicators: Map<string, HealthIndicator>;
  info: () => Record<string, unknown>;
  /** False until the service has finished starting and while it stops. */
  ready: () => boolean;
  basePath?: string;
  /** The service's metrics (`observability/`'s MeterRegistry fits). */
  prometheus?: { scrape(): Promise<string>; readonly contentType: string };
}

async function runIndicator(indicator: HealthIndicator): Promise<Health> {
  try {
    return await indicator();
  } catch (err) {
    return {
      status: 'DOWN',
      details: { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
    };
  }
}

export function registerActuator(app: FastifyInstance, opts: ActuatorOptions): void {
  const base = opts.basePath ?? '/actuator';
  const health = async () => {
    const entries = await Promise.all(
      [...opts.indicators].map(async ([name, indicator]) => [name, await runIndicator(indicator)] as const),
    );
    const components = Object.fromEntries(entries);
    return { status: aggregate(entries.map(([, h]) => h.status)), components };
  };

  app.get(`${base}/health`, async (_req, reply) => {
    const body = await health();
    return reply.code(body.status === 'UP' ? 200 : 503).send(body);
  });
  app.get(`${base}/health/liveness`, () => ({ status: 'UP' }));
  app.get(`${base}/health/readiness`, async (_req, reply) => {
    const status: HealthStatus = opts.ready() ? (await health()).status : 'OUT_OF_SERVICE';
    return reply.code(status === 'UP' ? 200 : 503).send({ status });
  });
  app.get(`${base}/info`, () => opts.info());
  const prometheus = opts.prometheus;
  if (prometheus) {
    app.get(`${base}/prometheus`, async (_req, reply) =>
      reply.type(prometheus.contentType).send(await prometheus.scrape()),
    );
  }
}
