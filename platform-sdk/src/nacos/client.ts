/**
 * Connection settings shared by naming and config, named as Spring Cloud Alibaba names them
 * (`spring.cloud.nacos.server-addr`, `username`, `password`, `namespace`), and the naming
 * client built from them. Silk's clients speak Nacos' HTTP Open API, which Nacos 3 still
 * serves for clients, and present an access token got by logging in once.
 */
import { NacosNamingClient } from './naming-client.js';

export interface NacosConnection {
  /** host:port[,host:port]; e.g. 127.0.0.1:8848. */
  serverAddr: string;
  username?: string;
  password?: string;
  /** Namespace id; '' and 'public' both mean the default namespace. */
  namespace?: string;
}

/** The logger shape Silk's Nacos clients call; a pino logger fits it. */
export interface NacosClientLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

const quietLogger: NacosClientLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (...a) => console.warn('[nacos]', ...a),
  error: (...a) => console.error('[nacos]', ...a),
};

export function namespaceId(ns: string | undefined): string {
  return ns === undefined || ns === '' ? 'public' : ns;
}

export function createNamingClient(
  conn: NacosConnection,
  logger: NacosClientLogger = quietLogger,
): NacosNamingClient {
  return new NacosNamingClient({ ...conn, namespace: namespaceId(conn.namespace) }, logger);
}
