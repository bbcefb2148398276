/**
 * The consumer's calls the npm SimpleConsumer has no method for. Batched acks: one
 * AckMessageRequest per batch, through the client's public `ackMessageViaRpc`, its per-entry
 * results matched back to the entries (by message id and receipt handle, since the proxy answers
 * each entry on its own). Dead-lettering a FIFO message, and the group's max attempts.
 */
import type { MessageView, SimpleConsumer } from 'rocketmq-client-nodejs';
import type { AckEntry, AckOutcome, AckSender } from './ack-batcher.js';
import {
  AckMessageRequest,
  Code,
  ForwardMessageToDeadLetterQueueRequest,
  Resource,
  type SettingsPB,
} from './proto.js';

/** Where a batch goes: the proxy that delivered its messages, and their topic. */
export interface AckTarget {
  endpoints: unknown;
  topic: string;
}

export function ackSender(
  client: SimpleConsumer,
  group: string,
  namespace: string,
  timeoutMs: number,
): AckSender<AckTarget> {
  return async (target, entries) => {
    const request = new AckMessageRequest()
      .setGroup(new Resource().setName(group).setResourceNamespace(namespace))
      .setTopic(new Resource().setName(target.topic).setResourceNamespace(namespace));
    for (const e of entries) request.addEntries().setMessageId(e.messageId).setReceiptHandle(e.receiptHandle);
    const response = await client.ackMessageViaRpc(target.endpoints, request, timeoutMs);
    const results = new Map<string, AckOutcome>();
    for (const r of response.getEntriesList()) {
      const status = r.getStatus();
      const code = status?.getCode();
      results.set(
        `${r.getMessageId()}\u0000${r.getReceiptHandle()}`,
        code === Code.OK ? undefined : new Error(`ack refused: ${code} ${status?.getMessage() ?? ''}`),
      );
    }
    const overall = response.getStatus();
    const whole =
      overall && overall.getCode() !== Code.OK && overall.getCode() !== Code.MULTIPLE_RESULTS
        ? new Error(`ack refused: ${overall.getCode()} ${overall.getMessage()}`)
        : undefined;
    return entries.map((e: AckEntry) => {
      const key = `${e.messageId}\u0000${e.receiptHandle}`;
      if (results.has(key)) return results.get(key);
      return whole ?? (results.size === 0 ? undefined : new Error('the proxy did not answer this entry'));
    });
  };
}

/**
 * Sends a message the consumer gave up on to `%DLQ%<group>` (the proxy's
 * ForwardMessageToDeadLetterQueue), as Java's FIFO consumer does once its local attempts are
 * spent. Throws when the proxy did not take it.
 */
export async function forwardToDeadLetter(
  client: SimpleConsumer,
  group: string,
  namespace: string,
  timeoutMs: number,
  view: MessageView,
  attempt: number,
  maxAttempts: number,
): Promise<void> {
  const request = new ForwardMessageToDeadLetterQueueRequest()
    .setGroup(new Resource().setName(group).setResourceNamespace(namespace))
    .setTopic(new Resource().setName(view.topic).setResourceNamespace(namespace))
    .setReceiptHandle(view.receiptHandle)
    .setMessageId(view.messageId)
    .setDeliveryAttempt(attempt)
    .setMaxDeliveryAttempts(maxAttempts);
  const response = await client.forwardMessageToDeadLetterQueueViaRpc(view.endpoints, request, timeoutMs);
  const status = response.getStatus();
  if (status?.getCode() !== Code.OK) {
    throw new Error(`dead-lettering refused: ${status?.getCode()} ${status?.getMessage() ?? 'no status'}`);
  }
}

/**
 * The group's max delivery attempts as the proxy announces them in the settings it sends each
 * client (its retry policy: retryMaxTimes + 1). The npm SimpleConsumer drops that part of the
 * settings, so it is read on the way in.
 */
export function watchMaxAttempts(client: SimpleConsumer, onMaxAttempts: (n: number) => void): void {
  const settings = (client as unknown as { getSettings(): { sync(pb: SettingsPB): void } }).getSettings();
  const sync = settings.sync.bind(settings);
  settings.sync = (pb: SettingsPB) => {
    const n = pb.getBackoffPolicy()?.getMaxAttempts();
    if (n !== undefined && n > 0) onMaxAttempts(n);
    sync(pb);
  };
}
