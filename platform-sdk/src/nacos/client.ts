/**
 * Connection settings shared by naming and config, named as Spring Cloud Alibaba names them
 * (`spring.cloud.nacos.server-addr`, `username`, `password`, `namespace`), and the naming
 * client built from them. The `nacos` npm client speaks Nacos' HTTP Open API, which Nacos 3
 * still serves for clients; it presents username and password on each call.
 */
import { NacosNamingClient } from 'nacos';

export interface NacosConnection {
  /** host:port[,host:port]; e.g. 127.0.0.1:8848. */
  serverAddr: string;
  username?: string;
  password?: string;
  /** Namespace id; '' and 'public' both mean the default namespace. */
  namespace?: string;
}

/** The logger shape the `nacos` client calls; a pino logger fits it. */
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
  return new NacosNamingClient({
    logger: logger as typeof console,
    serverList: conn.serverAddr,
    namespace: namespaceId(conn.namespace),
    ...(conn.username !== undefined ? { username: conn.username } : {}),
    ...(conn.password !== undefined ? { password: conn.password } : {}),
  });
}
