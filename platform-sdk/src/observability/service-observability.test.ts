import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigRepository, ConfigSource } from '../config/index.js';
import { ManualClock, createSentinel } from '../sentinel/index.js';
import { ServiceObservability, TimeWindowMax, withScope, withSpan } from './index.js';

/** A collector answering OTLP/HTTP (`/v1/traces`) and Zipkin (`/api/v2/spans`) alike. */
let collector: Server;
let base = '';
const received: { path: string; body: string }[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(() => collector?.close());

const source: ConfigSource = {
  dataId: 'svc.yaml',
  group: 'DEFAULT_GROUP',
  format: 'yaml',
  refresh: true,
  kind: 'application',
};

/** The config repository port with content set by the test, as a Nacos edit would deliver it. */
function repoWith(initial: string) {
  let content = initial;
  let listener: ((c: string | undefined) => void) | undefined;
  const repo: ConfigRepository = {
    get: () => Promise.resolve(content),
    subscribe: (_s, onChange) => ((listener = onChange), () => undefined),
  };
  return { repo, edit: (c: string) => ((content = c), listener?.(c)) };
}

const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('ServiceObservability from the service properties', () => {
  it('switches exporters by property: Zipkin from bootstrap, then OTLP from a Nacos edit', async () => {
    const obs = new ServiceObservability({
      application: 'order-service',
      bootstrap: {
        'management.tracing.sampling.probability': 1,
        'management.zipkin.tracing.endpoint': `${base}/api/v2/spans`,
      },
      logDestination: quiet(),
      exportImmediately: true,
    });
    expect(obs.tracing.exporters).toEqual(['zipkin']);
    const { repo, edit } = repoWith('greeting: hi\n');
    const observed = obs.observeConfig(repo, [source]);
    await withScope(obs, () => observed.get(source)); // the load itself is a span
    observed.subscribe(source, () => undefined);
    await obs.tracing.flush();
    const zipkin = received
      .filter((r) => r.path === '/api/v2/spans')
      .flatMap((r) => JSON.parse(r.body) as { name: string; localEndpoint: { serviceName: string } }[]);
    expect(zipkin.map((s) => s.name)).toContain('nacos config get svc.yaml');
    expect(zipkin[0]?.localEndpoint.serviceName).toBe('order-service');

    edit(
      [
        'management.tracing.sampling.probability: 1',
        'management.zipkin.tracing.export.enabled: false',
        `management.otlp.tracing.endpoint: ${base}/v1/traces`,
      ].join('\n'),
    );
    expect(obs.tracing.exporters).toEqual(['otlp']);
    withScope(obs, () => withSpan('after the edit', {}, () => undefined));
    await obs.tracing.flush();
    const otlp = received
      .filter((r) => r.path === '/v1/traces')
      .map((r) => r.body)
      .join('\n');
    expect(otlp).toContain('after the edit');
    expect(otlp).toContain('order-service');
    await obs.stop();
  });

  it('keeps the last good settings when an edit cannot be used, and applies log levels live', async () => {
    const obs = new ServiceObservability({ application: 'a', logDestination: quiet() });
    const { repo, edit } = repoWith('logging.level.root: warn\n');
    const observed = obs.observeConfig(repo, [source]);
    await observed.get(source);
    observed.subscribe(source, () => undefined);
    expect(obs.logger.level).toBe('warn');
    const before = obs.tracing;
    edit('logging.level.root: LOUD\nmanagement.tracing.sampling.probability: 7\n');
    expect(obs.logger.level).toBe('warn');
    expect(obs.tracing).toBe(before);
    edit('logging.level.root: debug\n');
    expect(obs.logger.level).toBe('debug');
    await obs.stop();
  });

  it("exposes Sentinel's last completed second per resource as Java's exporter names it", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const sentinel = createSentinel({ clock });
    const obs = new ServiceObservability({ application: 'order-service', logDestination: quiet() });
    obs.bindSentinel(sentinel, () => clock.now());
    for (let i = 0; i < 3; i++) {
      const e = sentinel.entry('GET:/orders');
      if (!e.blocked) e.exit();
    }
    clock.advance(1000);
    const json = await obs.meters.registry.getMetricsAsJSON();
    const family = json.find((m) => m.name === 'order_service')!;
    expect(family.help).toBe('sentinel_metrics');
    const pass = family.values.find(
      (v) => v.labels.type === 'passQps' && v.labels.resource === 'GET:/orders',
    );
    expect(pass?.value).toBe(3);
    await obs.stop();
    sentinel.close();
  });
});

describe('TimeWindowMax', () => {
  it("keeps the maximum for the window and forgets it after, as Micrometer's does", () => {
    let now = 0;
    const max = new TimeWindowMax(() => now, 120_000, 3);
    max.record(0.5);
    max.record(0.2);
    expect(max.poll()).toBe(0.5);
    now = 50_000;
    max.record(0.1);
    expect(max.poll()).toBe(0.5);
    now = 125_000;
    expect(max.poll()).toBe(0.1);
    now = 300_000;
    expect(max.poll()).toBe(0);
  });
});
