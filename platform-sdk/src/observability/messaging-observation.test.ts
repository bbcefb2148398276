import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { currentContext, currentXid, runWithContext } from '../core/index.js';
import { contextFromProperties, toClientMessage } from '../rocketmq/message.js';
import { MeterRegistry } from './meter-registry.js';
import { observeConsume, observePublish } from './messaging-observation.js';
import { promtoolCheck, sample } from './prometheus-test-support.js';
import { withScope } from './spans.js';
import { Tracing } from './tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const stop: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stop.splice(0)) await s();
});

function scope(service: string) {
  const exporter = new InMemorySpanExporter();
  const tracing = new Tracing({
    serviceName: service,
    samplingProbability: 1,
    exporters: [exporter],
    exportImmediately: true,
  });
  stop.push(() => tracing.shutdown());
  return { tracing, exporter, meters: new MeterRegistry({ application: service }) };
}

describe('RocketMQ messages observed as the Java client and its OTel instrumentation observe them', () => {
  it('a message built in the PRODUCER span carries it; the CONSUMER span continues it with the XID', async () => {
    const producer = scope('order');
    const consumer = scope('notification');
    // What the producer puts on the wire, built as MessageProducer.send builds it.
    const properties = await runWithContext(
      { traceparent: `00-${TRACE}-${PARENT}-01`, xid: '10.0.0.1:8091:9' },
      () =>
        withScope(producer, () =>
          observePublish({ topic: 'order-events', messageType: 'NORMAL' }, () =>
            Promise.resolve(
              Object.fromEntries(
                toClientMessage({ topic: 'order-events', body: 'x' }, currentContext(), Date.now())
                  .properties!,
              ),
            ),
          ),
        ),
    );
    const seen: { xid?: string; traceparent?: string } = {};
    await withScope(consumer, () =>
      observeConsume(
        { topic: 'order-events', consumerGroup: 'notify' },
        properties,
        contextFromProperties(properties),
        () => {
          seen.xid = currentXid();
          seen.traceparent = currentContext()?.traceparent;
          return Promise.resolve();
        },
      ),
    );
    await expect(
      withScope(consumer, () =>
        observeConsume({ topic: 'order-events', consumerGroup: 'notify' }, properties, {}, () =>
          Promise.reject(new Error('boom')),
        ),
      ),
    ).rejects.toThrow('boom');

    const [publish] = producer.exporter.getFinishedSpans();
    expect(publish!.name).toBe('order-events publish');
    expect(Number(publish!.kind)).toBe(Number(SpanKind.PRODUCER));
    expect(publish!.spanContext().traceId).toBe(TRACE);
    expect(publish!.parentSpanContext?.spanId).toBe(PARENT);
    expect(properties.traceparent).toBe(`00-${TRACE}-${publish!.spanContext().spanId}-01`);
    const [processed] = consumer.exporter.getFinishedSpans();
    expect(processed!.name).toBe('order-events process');
    expect(Number(processed!.kind)).toBe(Number(SpanKind.CONSUMER));
    expect(processed!.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
    expect(seen).toEqual({
      xid: '10.0.0.1:8091:9',
      traceparent: `00-${TRACE}-${processed!.spanContext().spanId}-01`,
    });

    const sent = await promtoolCheck(await producer.meters.scrape());
    expect(sent.problems).toEqual([]);
    const cost = sample(sent, 'rocketmq_send_cost_time', {
      topic: 'order-events',
      invocation_status: 'success',
    });
    expect(cost.count).toBe(1);
    expect(Object.keys(cost.buckets!)).toEqual(
      expect.arrayContaining(['1', '5', '10', '20', '50', '200', '500']),
    );
    const consumed = await promtoolCheck(await consumer.meters.scrape());
    expect(
      sample(consumed, 'rocketmq_process_time', { consumer_group: 'notify', invocation_status: 'success' })
        .count,
    ).toBe(1);
    expect(
      sample(consumed, 'rocketmq_process_time', { consumer_group: 'notify', invocation_status: 'failure' })
        .count,
    ).toBe(1);
  });

  it("a Brave producer's B3 properties are continued", async () => {
    const consumer = scope('notification');
    const props = { 'X-B3-TraceId': TRACE, 'X-B3-SpanId': PARENT, 'X-B3-Sampled': '1' };
    await withScope(consumer, () =>
      observeConsume({ topic: 't', consumerGroup: 'g' }, props, contextFromProperties(props), () =>
        Promise.resolve(),
      ),
    );
    const [span] = consumer.exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(TRACE);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT);
  });
});
