import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { currentContext, runWithContext } from '../core/index.js';
import { DUBBO_ERROR_CODES } from './errors.js';
import { ExchangeClient } from './exchange-client.js';
import { ExchangeServer, javaException, type ProviderCallContext } from './exchange-server.js';
import { encodeHeartbeat } from './codec.js';
import { staticProviders } from './provider-discovery.js';
import { DubboReference } from './reference.js';
import type { DubboServiceDefinition } from './service-definition.js';

const def: DubboServiceDefinition = {
  interface: 'dev.silk.test.Calc',
  version: '1.0.0',
  methods: {
    add: { parameterTypes: ['long', 'long'], returnType: 'long' },
    echo: { parameterTypes: ['java.lang.String'] },
    fail: { parameterTypes: ['java.lang.String'] },
    slow: { parameterTypes: ['int'] },
    whoami: { parameterTypes: [] },
    tooBig: { parameterTypes: [], returnType: 'int' },
    failSync: { parameterTypes: ['java.lang.String'] },
  },
};

const logs: string[] = [];
const logger = { warn: (_o: Record<string, unknown>, m: string) => void logs.push(m) };

function handlers(name = 'p') {
  return {
    add: (a: bigint | number, b: bigint | number) => BigInt(a) + BigInt(b),
    echo: (s: string, ctx: ProviderCallContext) => {
      ctx.responseAttachments['echo-k'] = ctx.attachments.k;
      return s;
    },
    fail: (m: string) => Promise.reject(javaException('java.lang.IllegalStateException', m)),
    slow: (ms: number) => new Promise((r) => setTimeout(() => r(`slept ${ms}`), ms)),
    whoami: () => ({ name, ...currentContext() }),
    tooBig: () => 2 ** 40,
    failSync: (m: string) => {
      throw javaException('java.lang.IllegalArgumentException', m);
    },
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function provider(name = 'p') {
  const server = new ExchangeServer({ port: 0, host: '127.0.0.1', logger });
  server.export(def, handlers(name));
  const port = await server.start();
  cleanup.push(() => server.stop(100));
  return { server, address: `127.0.0.1:${port}` };
}

function consumer(addresses: string[], opts: Partial<ConstructorParameters<typeof DubboReference>[1]> = {}) {
  const client = new ExchangeClient({ logger });
  cleanup.push(() => client.close(100));
  const ref = new DubboReference(def, {
    client,
    discovery: staticProviders(addresses),
    application: 'silk-test-consumer',
    timeout: 2000,
    ...opts,
  });
  return { client, ref, svc: ref.proxy() };
}

describe('dubbo transport', () => {
  it('calls a provider with typed arguments, results, exceptions and attachments both ways', async () => {
    const { address } = await provider();
    const { ref, svc } = consumer([address]);
    expect(await svc.add!(9007199254740992n, 1)).toBe(9007199254740993n);
    const r = await ref.invoke('echo', ['héllo'], { attachments: { k: 'v1' } });
    expect(r.value).toBe('héllo');
    expect(r.attachments['echo-k']).toBe('v1');
    await expect(svc.fail!('nope')).rejects.toMatchObject({
      code: DUBBO_ERROR_CODES.remoteException,
      javaClass: 'java.lang.IllegalStateException',
    });
    await expect(svc.failSync!('at once')).rejects.toMatchObject({
      code: DUBBO_ERROR_CODES.remoteException,
      javaClass: 'java.lang.IllegalArgumentException',
      message: expect.stringContaining('at once') as unknown,
    });
  });

  it('carries XID, traceparent and the caller app into the provider context', async () => {
    const { address } = await provider();
    const { svc } = consumer([address]);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const seen = await runWithContext({ xid: '10.0.0.1:8091:42', traceparent }, () => svc.whoami!());
    expect(seen).toEqual(
      new Map([
        ['name', 'p'],
        ['xid', '10.0.0.1:8091:42'],
        ['traceparent', traceparent],
        ['callerApp', 'silk-test-consumer'],
      ]),
    );
  });

  it('multiplexes many calls on one connection and times out one without the others', async () => {
    const { server, address } = await provider();
    const { svc } = consumer([address]);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => svc.echo!(`m${i}`)));
    expect(results[299]).toBe('m299');
    expect(server.connectionCount).toBe(1);
    const { ref } = consumer([address], { cluster: 'failfast' });
    const slow = ref.invoke('slow', [500], { timeout: 50 });
    const fast = ref.invoke('echo', ['quick']);
    await expect(slow).rejects.toMatchObject({ code: DUBBO_ERROR_CODES.timeout });
    expect((await fast).value).toBe('quick');
  });

  it('closes only the connection that sent garbage, with a log line', async () => {
    const { server, address } = await provider();
    const { svc } = consumer([address]);
    expect(await svc.echo!('before')).toBe('before');
    const bad = connect({ host: '127.0.0.1', port: server.port });
    await new Promise((r) => bad.once('connect', r));
    const closed = new Promise((r) => bad.once('close', r));
    bad.write(Buffer.concat([encodeHeartbeat(1n), Buffer.from('GET / HTTP/1.1\r\n\r\n')]));
    await closed;
    expect(logs.some((l) => l.includes('malformed frame'))).toBe(true);
    expect(await svc.echo!('after')).toBe('after');
    expect(server.connectionCount).toBe(1);
  });

  it('fails in-flight calls at once when the connection drops, and fails over to another provider', async () => {
    const a = await provider('a');
    const b = await provider('b');
    const { ref } = consumer([a.address], { cluster: 'failfast' });
    const pending = ref.invoke('slow', [5000], { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    void a.server.stop(0);
    await expect(pending).rejects.toMatchObject({
      code: DUBBO_ERROR_CODES.connectionClosed,
      retryable: true,
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    const { svc } = consumer([a.address, b.address], { retries: 2 });
    for (let i = 0; i < 5; i++) expect(await svc.whoami!()).toEqual(expect.any(Map));
    const names = await Promise.all(Array.from({ length: 6 }, () => svc.whoami!()));
    expect(names.every((n) => (n as Map<string, string>).get('name') === 'b')).toBe(true);
  });

  it('waits for in-flight calls on a graceful provider stop', async () => {
    const { server, address } = await provider();
    const { ref } = consumer([address], { cluster: 'failfast' });
    const pending = ref.invoke('slow', [200], { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await server.stop(2000);
    expect((await pending).value).toBe('slept 200');
  });

  it('reconnects on the next call after the provider comes back', async () => {
    const first = await provider();
    const port = Number(first.address.split(':')[1]);
    const { svc } = consumer([first.address], { cluster: 'failfast' });
    expect(await svc.echo!('one')).toBe('one');
    await first.server.stop(0);
    await expect(svc.echo!('gone')).rejects.toMatchObject({ code: DUBBO_ERROR_CODES.connectionClosed });
    const again = new ExchangeServer({ port, host: '127.0.0.1', logger });
    again.export(def, handlers());
    await again.start();
    cleanup.push(() => again.stop(100));
    expect(await svc.echo!('two')).toBe('two');
  });

  it('turns a result that does not fit its declared type into a Java exception for the caller', async () => {
    const { address } = await provider();
    const { svc } = consumer([address]);
    await expect(svc.tooBig!()).rejects.toMatchObject({
      code: DUBBO_ERROR_CODES.remoteException,
      javaClass: 'java.lang.RuntimeException',
      message: expect.stringContaining('does not fit a Java int') as unknown,
    });
    expect(await svc.echo!('still serving')).toBe('still serving');
  });

  it('rejects an argument that does not fit its declared type before trying any provider', async () => {
    const { svc } = consumer(['127.0.0.1:1'], { cluster: 'failsafe', onSwallowed: () => {} });
    await expect(svc.add!(1.5, 1)).rejects.toMatchObject({ code: DUBBO_ERROR_CODES.badArgument });
  });

  it('least-active balancing sends calls away from the provider with a call in flight', async () => {
    const a = await provider('a');
    const b = await provider('b');
    const { svc } = consumer([a.address, b.address], { loadbalance: 'leastactive' });
    await Promise.all([svc.whoami!(), svc.whoami!()]); // both connections open
    const slow = svc.slow!(400);
    const names = new Set<unknown>();
    for (let i = 0; i < 8; i++) names.add(((await svc.whoami!()) as Map<string, unknown>).get('name'));
    expect(names.size).toBe(1);
    expect(['a', 'b']).toContain([...names][0]);
    await slow;
  });

  it('answers failsafe failures with null', async () => {
    const { address } = await provider();
    const swallowed: unknown[] = [];
    const { svc } = consumer([address], { cluster: 'failsafe', onSwallowed: (e) => swallowed.push(e) });
    expect(await svc.fail!('x')).toBe(null);
    expect(swallowed).toHaveLength(1);
  });
});
