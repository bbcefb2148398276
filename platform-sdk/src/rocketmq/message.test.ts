import { MessageView } from 'rocketmq-client-nodejs';
import definition from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import { describe, expect, it } from 'vitest';
import { contextFromProperties, contextProperties, fromClientView, toClientMessage } from './message.js';

/** A message as the proxy's protobuf carries it, decoded by the npm client's own MessageView. */
function received(group?: string): MessageView {
  const props = new definition.SystemProperties()
    .setMessageId('01ABC')
    .setTag('TagA')
    .setBodyDigest(new definition.Digest().setType(definition.DigestType.DIGEST_TYPE_UNSPECIFIED))
    .setBodyEncoding(definition.Encoding.IDENTITY)
    .setDeliveryAttempt(1)
    .setReceiptHandle('rh');
  if (group !== undefined) props.setMessageGroup(group);
  const pb = new definition.Message()
    .setTopic(new definition.Resource().setName('t'))
    .setSystemProperties(props)
    .setBody(Buffer.from('x'));
  return new MessageView(pb);
}

describe('message mapping', () => {
  const ctx = { xid: '10.0.0.1:8091:42', traceparent: '00-aa-bb-01', origin: 'gateway' };

  it('adds the request context as the Java side names it; explicit properties win', () => {
    const out = toClientMessage(
      { topic: 't', body: 'x', properties: { traceparent: 'mine', k: 'v' } },
      ctx,
      0,
    );
    expect(Object.fromEntries(out.properties!)).toEqual({
      TX_XID: '10.0.0.1:8091:42',
      traceparent: 'mine',
      k: 'v',
    });
    expect(contextProperties(undefined)).toEqual({});
  });

  it('restores the context from properties and ignores the rest', () => {
    expect(contextFromProperties({ TX_XID: 'x1', traceparent: 't1', other: 'o' })).toEqual({
      xid: 'x1',
      traceparent: 't1',
    });
    expect(contextFromProperties({ TX_XID: '' })).toEqual({});
  });

  it('turns a delay into a delivery time, so a zero delay stays a DELAY message', () => {
    expect(toClientMessage({ topic: 't', body: 'x', delayMs: 0 }, undefined, 1000).deliveryTimestamp).toEqual(
      new Date(1000),
    );
    expect(
      toClientMessage({ topic: 't', body: 'x', delayMs: 500 }, undefined, 1000).deliveryTimestamp,
    ).toEqual(new Date(1500));
    const at = new Date(5000);
    expect(
      toClientMessage({ topic: 't', body: 'x', deliverAt: at, delayMs: 1 }, undefined, 0).deliveryTimestamp,
    ).toBe(at);
  });

  it('encodes a string body as UTF-8 and keeps tag, keys and group', () => {
    const out = toClientMessage(
      { topic: 't', body: 'é', tag: 'TagA', keys: ['k1', 'k2'], messageGroup: 'g' },
      undefined,
      0,
    );
    expect(out.body).toEqual(Buffer.from('é'));
    expect(out).toMatchObject({ tag: 'TagA', keys: ['k1', 'k2'], messageGroup: 'g' });
  });

  it('refuses tags and keys the broker would split', () => {
    expect(() => toClientMessage({ topic: 't', body: 'x', tag: 'A||B' }, undefined, 0)).toThrow(
      expect.objectContaining({ code: 'SILK_MQ_INVALID_MESSAGE' }),
    );
    expect(() => toClientMessage({ topic: 't', body: 'x', keys: ['a b'] }, undefined, 0)).toThrow(/space/);
    expect(() => toClientMessage({ topic: 't', body: 'x', tag: '' }, undefined, 0)).toThrow(/empty/);
  });

  it('gives a received message without a group no group, not the empty one protobuf reads', () => {
    expect(received().messageGroup).toBe('');
    expect(fromClientView(received()).messageGroup).toBeUndefined();
    expect(fromClientView(received('orders-7')).messageGroup).toBe('orders-7');
  });
});
