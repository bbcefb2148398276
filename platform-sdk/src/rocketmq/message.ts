/**
 * Silk's message shapes and their mapping to and from the npm client's. The request context
 * crosses as user properties under the names the Java side uses (`TX_XID`, `traceparent`,
 * `tracestate`), so a Java consumer sees the XID a Seata interceptor would read and a Silk
 * handler runs inside the context its producer had.
 */
import type { MessageOptions, MessageView } from 'rocketmq-client-nodejs';
import { CONTEXT_KEYS, type SilkContext } from '../core/index.js';
import { InvalidMessageError } from './errors.js';

export interface OutgoingMessage {
  topic: string;
  body: Buffer | string;
  /** One tag; consumers filter on it (`TagA || TagB`). */
  tag?: string | undefined;
  /** Business keys (order id, event id): indexed by the broker, and what idempotency keys on. */
  keys?: readonly string[] | undefined;
  /** User properties; context properties are added to these. */
  properties?: Readonly<Record<string, string>> | undefined;
  /** FIFO: messages of one group are delivered in send order. */
  messageGroup?: string | undefined;
  /** DELAY: deliver this long after sending... */
  delayMs?: number | undefined;
  /** ...or at this time. */
  deliverAt?: Date | undefined;
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly topic: string;
  readonly body: Buffer;
  readonly tag: string | undefined;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly messageGroup: string | undefined;
  /** 1 on the first delivery; the broker counts redeliveries (reconsumeTimes + 1). */
  readonly deliveryAttempt: number;
  readonly bornAt: Date | undefined;
  readonly deliverAt: Date | undefined;
}

/** Tags and keys the broker stores as one property split on these characters. */
const TAG_FORBIDDEN = /\|\|/;
const KEY_SEPARATOR = ' ';

/** The user properties a message carries for this context; explicit properties win. */
export function contextProperties(ctx: Readonly<SilkContext> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (ctx?.xid) out[CONTEXT_KEYS.xid] = ctx.xid;
  if (ctx?.traceparent) out[CONTEXT_KEYS.traceparent] = ctx.traceparent;
  if (ctx?.tracestate) out[CONTEXT_KEYS.tracestate] = ctx.tracestate;
  return out;
}

/** The context a consumer's handler runs in, read back from the message's properties. */
export function contextFromProperties(props: Readonly<Record<string, string>>): SilkContext {
  const ctx: SilkContext = {};
  const xid = props[CONTEXT_KEYS.xid];
  const traceparent = props[CONTEXT_KEYS.traceparent];
  const tracestate = props[CONTEXT_KEYS.tracestate];
  if (xid) ctx.xid = xid;
  if (traceparent) ctx.traceparent = traceparent;
  if (tracestate) ctx.tracestate = tracestate;
  return ctx;
}

/** The npm client's options for this message, with the context's properties merged in. */
export function toClientMessage(
  message: OutgoingMessage,
  ctx: Readonly<SilkContext> | undefined,
  now: number,
): MessageOptions {
  if (message.tag !== undefined && (message.tag === '' || TAG_FORBIDDEN.test(message.tag))) {
    throw new InvalidMessageError(message.topic, `tag "${message.tag}" is empty or contains "||"`);
  }
  for (const key of message.keys ?? []) {
    if (key === '' || key.includes(KEY_SEPARATOR)) {
      throw new InvalidMessageError(
        message.topic,
        `key "${key}" is empty or contains a space (the broker splits keys on spaces)`,
      );
    }
  }
  const properties = new Map(Object.entries({ ...contextProperties(ctx), ...message.properties }));
  const options: MessageOptions = {
    topic: message.topic,
    body: typeof message.body === 'string' ? Buffer.from(message.body) : message.body,
    keys: [...(message.keys ?? [])],
    properties,
  };
  if (message.tag !== undefined) options.tag = message.tag;
  if (message.messageGroup !== undefined) options.messageGroup = message.messageGroup;
  // A delay becomes a timestamp here: the client ignores `delay: 0`, which would silently
  // turn a DELAY message into a NORMAL one that its topic refuses.
  if (message.deliverAt !== undefined) options.deliveryTimestamp = message.deliverAt;
  else if (message.delayMs !== undefined) options.deliveryTimestamp = new Date(now + message.delayMs);
  return options;
}

/**
 * The message group of a received message, or undefined for a message without one. The npm
 * client reads protobuf getters, which answer '' for an absent optional string, so a normal
 * message arrives with messageGroup ''; taken as a group, it serialised a whole topic.
 */
export function messageGroupOf(view: Pick<MessageView, 'messageGroup'>): string | undefined {
  return view.messageGroup ? view.messageGroup : undefined;
}

/** A received message as Silk hands it to handlers (a plain, immutable object). */
export function fromClientView(view: MessageView): ReceivedMessage {
  return Object.freeze({
    messageId: view.messageId,
    topic: view.topic,
    body: view.body,
    tag: view.tag,
    keys: Object.freeze([...view.keys]),
    properties: Object.freeze(Object.fromEntries(view.properties)),
    messageGroup: messageGroupOf(view),
    deliveryAttempt: view.deliveryAttempt ?? 1,
    bornAt: view.bornTimestamp,
    deliverAt: view.deliveryTimestamp,
  });
}
