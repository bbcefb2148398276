/**
 * Topics with their message type declared up front. RocketMQ 5 gives every topic a
 * `message.type` attribute (NORMAL, FIFO, DELAY, TRANSACTION) and the proxy refuses a message
 * whose type differs from its topic's; a gRPC client also gets no route for a topic that does
 * not exist. So Silk declares each topic with its type in config, the cluster gets them created
 * (`stack/` does it with mqadmin; production clusters with their own tooling), and the producer
 * checks each outgoing message against the declaration before it leaves the process.
 */
import { InvalidMessageError, TopicUndeclaredError } from './errors.js';

/** The values of the topic attribute `message.type` a producer can match (TopicMessageType). */
export type TopicMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';

export const TOPIC_MESSAGE_TYPES: readonly TopicMessageType[] = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'];

export interface TopicDeclaration {
  name: string;
  messageType: TopicMessageType;
}

/** What decides a message's type on the wire (the same rule as the client's PublishingMessage). */
export interface MessageShape {
  topic: string;
  messageGroup?: string | undefined;
  deliverAt?: Date | undefined;
  delayMs?: number | undefined;
}

/** The type the proxy will see for this message, or a coded error when the options conflict. */
export function messageTypeOf(message: MessageShape, transactional: boolean): TopicMessageType {
  const timed = message.deliverAt !== undefined || message.delayMs !== undefined;
  const grouped = message.messageGroup !== undefined;
  if (grouped && message.messageGroup === '') {
    throw new InvalidMessageError(message.topic, 'messageGroup is empty');
  }
  if (timed && grouped) {
    throw new InvalidMessageError(
      message.topic,
      'a message has either a messageGroup (FIFO) or a delivery time (DELAY), not both',
    );
  }
  if (transactional && (timed || grouped)) {
    throw new InvalidMessageError(
      message.topic,
      'a transactional message cannot have a messageGroup or a delivery time',
    );
  }
  if (message.delayMs !== undefined && !(Number.isFinite(message.delayMs) && message.delayMs >= 0)) {
    throw new InvalidMessageError(
      message.topic,
      `delayMs=${message.delayMs} is not a number of milliseconds >= 0`,
    );
  }
  if (message.deliverAt !== undefined && Number.isNaN(message.deliverAt.getTime())) {
    throw new InvalidMessageError(message.topic, 'deliverAt is an invalid Date');
  }
  if (transactional) return 'TRANSACTION';
  if (grouped) return 'FIFO';
  if (timed) return 'DELAY';
  return 'NORMAL';
}

/** The declarations by name; a duplicate name with two types is a configuration error. */
export function topicTable(declarations: readonly TopicDeclaration[]): ReadonlyMap<string, TopicMessageType> {
  const table = new Map<string, TopicMessageType>();
  for (const d of declarations) {
    if (!TOPIC_MESSAGE_TYPES.includes(d.messageType)) {
      throw new InvalidMessageError(
        d.name,
        `declared message type "${String(d.messageType)}" is not one of ${TOPIC_MESSAGE_TYPES.join(', ')}`,
      );
    }
    const seen = table.get(d.name);
    if (seen !== undefined && seen !== d.messageType) {
      throw new InvalidMessageError(d.name, `declared twice, as ${seen} and as ${d.messageType}`);
    }
    table.set(d.name, d.messageType);
  }
  return table;
}

/** Checks a message against its topic's declared type before anything is sent. */
export function assertMatchesTopic(
  table: ReadonlyMap<string, TopicMessageType>,
  message: MessageShape,
  transactional: boolean,
): TopicMessageType {
  const declared = table.get(message.topic);
  if (declared === undefined) throw new TopicUndeclaredError(message.topic, [...table.keys()]);
  const actual = messageTypeOf(message, transactional);
  if (actual !== declared) {
    throw new InvalidMessageError(
      message.topic,
      `the topic is ${declared} but this message is ${actual}${hint(declared)}`,
    );
  }
  return actual;
}

function hint(declared: TopicMessageType): string {
  switch (declared) {
    case 'FIFO':
      return ' (give it a messageGroup)';
    case 'DELAY':
      return ' (give it delayMs or deliverAt)';
    case 'TRANSACTION':
      return ' (send it with sendInTransaction)';
    case 'NORMAL':
      return ' (drop messageGroup and delivery time)';
  }
}
