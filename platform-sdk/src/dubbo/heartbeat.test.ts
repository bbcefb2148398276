import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeClient } from './exchange-client.js';
import { ExchangeServer } from './exchange-server.js';
import { staticProviders } from './provider-discovery.js';
import { DubboReference } from './reference.js';

const def = { interface: 'dev.silk.test.Ping', version: '', methods: { ping: { parameterTypes: [] } } };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('dubbo heartbeats', () => {
  it('keeps an idle consumer connection alive and drops a silent peer after three periods', async () => {
    const server = new ExchangeServer({
      port: 0,
      host: '127.0.0.1',
      heartbeat: 50,
      logger: { warn: () => undefined },
    });
    server.export(def, { ping: () => 'pong' });
    const port = await server.start();
    cleanup.push(() => server.stop(10));
    const client = new ExchangeClient({ heartbeat: 50 });
    cleanup.push(() => client.close(10));
    const ref = new DubboReference(def, {
      client,
      discovery: staticProviders([`127.0.0.1:${port}`]),
      cluster: 'failfast',
    });
    expect(await ref.invoke('ping', []).then((r) => r.value)).toBe('pong');

    // A peer that connects and never says anything (and never answers our heartbeats).
    const silent = connect({ host: '127.0.0.1', port });
    silent.on('data', () => undefined); // reads our heartbeats, never answers
    const t0 = Date.now();
    await new Promise((r) => silent.once('close', r));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(Date.now() - t0).toBeLessThan(2000);

    // The consumer, idle as long, kept its connection: its heartbeats were answered.
    await new Promise((r) => setTimeout(r, 300));
    expect(server.connectionCount).toBe(1);
    expect(await ref.invoke('ping', []).then((r) => r.value)).toBe('pong');
  });
});
