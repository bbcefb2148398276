/**
 * The transport half of batched acks: one AckMessageRequest per batch, sent through the npm
 * client's public `ackMessageViaRpc`, its per-entry results matched back to the entries (by
 * message id and receipt handle, since the proxy answers each entry on its own).
 */
import type { SimpleConsumer } from 'rocketmq-client-nodejs';
import type { AckEntry, AckOutcome, AckSender } from './ack-batcher.js';
import { AckMessageRequest, Code, Resource } from './proto.js';

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
