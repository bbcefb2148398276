/**
 * The gateway's whole live configuration, from one YAML document (a Nacos dataId): the routes
 * and default filters (`spring.cloud.gateway`), CORS (`spring.cloud.gateway.globalcors`) and
 * JWT keys (`silk.gateway.jwt`). It is compiled as one unit into a GatewayState; any error
 * anywhere refuses the whole document, so routes, CORS and keys always change together.
 *
 * `gatewayConfigSchema` is the Standard Schema the SDK's ConfigStore validates with: its
 * validation *is* compilation, so a document the store accepts is one that compiles, and the
 * store's last-good behaviour and health report apply unchanged.
 */
import { parse as parseYaml } from 'yaml';
import { flatten, unflatten, type ConfigSchema } from '@silk/platform-sdk/config';
import { CorsPolicy } from './cors.js';
import { RoutesInvalidError } from './errors.js';
import type { FilterServices } from './filter/filter.js';
import { JwtAuthenticator } from './jwt.js';
import { readGatewayDefinitions } from './route/definition.js';
import { RouteTable } from './route/route-table.js';

export interface GatewayState {
  readonly table: RouteTable;
  readonly cors: CorsPolicy | undefined;
  readonly jwt: JwtAuthenticator | undefined;
}

export const EMPTY_STATE: GatewayState = { table: RouteTable.EMPTY, cors: undefined, jwt: undefined };

const get = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), o);

/** Compiles a parsed document; throws RoutesInvalidError with every reason found. */
export function compileGatewayConfig(doc: unknown, services: FilterServices, where = 'config'): GatewayState {
  let defs;
  try {
    defs = readGatewayDefinitions(doc);
  } catch (err) {
    throw new RoutesInvalidError(where, [(err as Error).message]);
  }
  const table = RouteTable.compile(defs, services, where);
  const reasons: string[] = [];
  let cors: CorsPolicy | undefined;
  let jwt: JwtAuthenticator | undefined;
  try {
    const gw = get(doc, 'spring', 'cloud', 'gateway');
    cors = CorsPolicy.parse(get(gw, 'globalcors', 'cors-configurations') ?? get(gw, 'globalcors', 'corsConfigurations'));
  } catch (err) {
    reasons.push((err as Error).message);
  }
  try {
    jwt = JwtAuthenticator.parse(get(doc, 'silk', 'gateway', 'jwt'));
  } catch (err) {
    reasons.push((err as Error).message);
  }
  if (reasons.length > 0) throw new RoutesInvalidError(where, reasons);
  return { table, cors, jwt };
}

/** Parses YAML text and compiles it. */
export function compileGatewayYaml(text: string, services: FilterServices, where = 'config'): GatewayState {
  let doc: unknown;
  try {
    // Through Spring's flat keys and back, so `spring.cloud.gateway.routes:` written as one
    // dotted key means what it means to Spring (and to the Nacos path, which does the same).
    doc = unflatten(flatten(parseYaml(text)));
  } catch (err) {
    throw new RoutesInvalidError(where, [`not YAML: ${(err as Error).message}`]);
  }
  return compileGatewayConfig(doc, services, where);
}

/**
 * A Standard Schema whose validation compiles the document. The state compiled for the last
 * accepted document is kept for the caller (`take`), so it is not compiled twice.
 */
export class GatewayConfigSchema implements ConfigSchema<Record<string, unknown>> {
  #last: { doc: unknown; state: GatewayState } | undefined;

  constructor(private readonly services: FilterServices) {}

  readonly '~standard' = {
    version: 1 as const,
    vendor: 'silk-gateway',
    validate: (
      value: unknown,
    ): { value: Record<string, unknown>; issues?: undefined } | { issues: { message: string }[] } => {
      try {
        const state = compileGatewayConfig(value, this.services, 'Nacos');
        this.#last = { doc: value, state };
        return { value: value as Record<string, unknown> };
      } catch (err) {
        const reasons = err instanceof RoutesInvalidError ? (err.details.reasons as string[]) : [(err as Error).message];
        return { issues: reasons.map((message) => ({ message })) };
      }
    },
  };

  /** The compiled state of `doc` if it was the last document validated; otherwise compiles it. */
  take(doc: unknown): GatewayState {
    if (this.#last !== undefined && this.#last.doc === doc) return this.#last.state;
    return compileGatewayConfig(doc, this.services, 'Nacos');
  }
}
