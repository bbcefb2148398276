/**
 * What producers and consumers share: the connection options every npm client takes, and the
 * check of a declared topic against the type the cluster gives it. The check reads the route
 * the client fetched at startup (its `acceptMessageTypes`), so a topic created with the wrong
 * `message.type` fails the start, not the first send hours later.
 */
import type { BaseClientOptions, TopicRouteData } from 'rocketmq-client-nodejs';
import { MessageType } from './proto.js';
import { TopicTypeMismatchError } from './errors.js';
import { clientLogger, consoleLogger, type MqLogger } from './logger.js';
import type { TopicDeclaration } from './topics.js';

export interface ClientOptions {
  /** The proxy's gRPC endpoint(s): `host:port`, several joined with `;`. */
  endpoints: string;
  /** RocketMQ namespace; empty on a cluster without namespaces. */
  namespace?: string;
  /** Per-request timeout of the client (>= 1000 ms; the client's default is 3000). */
  requestTimeoutMs?: number;
  logger?: MqLogger;
}

export function baseOptions(
  options: ClientOptions,
  client: string,
  topics: readonly string[],
): BaseClientOptions {
  const base: BaseClientOptions = {
    endpoints: options.endpoints,
    namespace: options.namespace ?? '',
    logger: clientLogger(options.logger ?? consoleLogger, client),
    topics: [...topics],
  };
  if (options.requestTimeoutMs !== undefined) base.requestTimeout = options.requestTimeoutMs;
  return base;
}

/** The protected parts of every npm client Silk needs, reached through this one narrow view. */
interface ClientInternals {
  readonly topics: Set<string>;
  getRouteData(topic: string): Promise<TopicRouteData>;
  settingsCommand(): unknown;
  telemetry(endpoints: unknown, command: unknown): void;
  startup(): Promise<void>;
}

/**
 * Starts an npm client without the hang its startup has with several topics (1.0.8): startup
 * fetches every topic's route, and the first route opens the telemetry stream and sends the
 * settings; startup then waits for the proxy's settings answer, but only installs its waiter
 * after the last route arrived, so an answer that comes while later routes are still being
 * fetched is missed and startup waits for the next sync, five minutes later. Starting with one
 * topic leaves no I/O between the settings write and the waiter; the other topics' routes are
 * fetched after, and the settings, which list them (producers register for transaction checks
 * by them), are sent again.
 */
export async function startClient(client: object, topics: readonly string[]): Promise<void> {
  const internals = client as ClientInternals;
  const [first, ...rest] = topics;
  internals.topics.clear();
  if (first !== undefined) internals.topics.add(first);
  await internals.startup();
  if (rest.length === 0) return;
  const endpoints = new Map<string, unknown>();
  for (const topic of topics) {
    for (const e of (await internals.getRouteData(topic)).getTotalEndpoints()) endpoints.set(e.facade, e);
  }
  for (const e of endpoints.values()) internals.telemetry(e, internals.settingsCommand());
}

/** Throws when the cluster accepts another message type on a declared topic than declared. */
export async function verifyTopicTypes(client: object, topics: readonly TopicDeclaration[]): Promise<void> {
  for (const t of topics) {
    const route = await (client as ClientInternals).getRouteData(t.name);
    const accepted = new Set(route.messageQueues.flatMap((mq) => mq.acceptMessageTypesList));
    if (!accepted.has(MessageType[t.messageType])) {
      const names = [...accepted].map((n) => MessageType[n]).join('|') || 'nothing';
      throw new TopicTypeMismatchError(t.name, t.messageType, names);
    }
  }
}
