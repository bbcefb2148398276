import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessLogLine, accessLogSink } from './access-log.js';
import { ExchangeClient } from './exchange-client.js';
import { ExchangeServer } from './exchange-server.js';
import { BigDecimal } from './java-values.js';
import { staticProviders } from './provider-discovery.js';
import { DubboReference } from './reference.js';

const time = new Date(2026, 10, 27, 9, 5, 7, 42);

describe("Dubbo's access log line", () => {
  it('has the Java filter layout: time, remote -> local, group/interface:version, method(types), JSON args', () => {
    const line = accessLogLine({
      time,
      remote: '127.0.0.1:53412',
      local: '127.0.0.1:20880',
      service: 'dev.silk.shop.api.StorageService',
      version: '1.0.0',
      group: 'shop',
      method: 'deduct',
      parameterTypes: ['java.lang.String', 'int'],
      args: ['P1', 2],
    });
    expect(line).toBe('[2026-11-27 09:05:07.042] 127.0.0.1:53412 -> 127.0.0.1:20880 - shop/dev.silk.shop.api.StorageService:1.0.0 deduct(java.lang.String,int) ["P1",2]');
  });

  it('prints longs beyond 2^53, BigDecimal and byte[] as Java does, and leaves out empty group, version and args', () => {
    const line = accessLogLine({
      time,
      remote: 'a:1',
      local: 'b:2',
      service: 'X',
      method: 'm',
      parameterTypes: ['long', 'java.math.BigDecimal', 'byte[]'],
      args: [2n ** 63n - 1n, new BigDecimal('12.50'), Buffer.from('hi')],
    });
    expect(line).toBe('[2026-11-27 09:05:07.042] a:1 -> b:2 - X m(long,java.math.BigDecimal,byte[]) [9223372036854775807,12.50,"aGk="]');
    expect(accessLogLine({ time, remote: 'a:1', local: 'b:2', service: 'X', method: 'ping', parameterTypes: [], args: [] })).toBe(
      '[2026-11-27 09:05:07.042] a:1 -> b:2 - X ping() ',
    );
  });

  it('is off unless asked for, goes to the logger under dubbo.accesslog.<interface> with true', () => {
    expect(accessLogSink(undefined, undefined)).toBeUndefined();
    expect(accessLogSink(false, undefined)).toBeUndefined();
    const seen: [Record<string, unknown>, string][] = [];
    accessLogSink(true, (o, m) => seen.push([o, m]))!.write({ time, remote: 'a:1', local: 'b:2', service: 'X', method: 'm', parameterTypes: [], args: [] });
    expect(seen).toEqual([[{ logger: 'dubbo.accesslog.X' }, '[2026-11-27 09:05:07.042] a:1 -> b:2 - X m() ']]);
  });

  it('a provider with a file path appends one line per call it serves', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'silk-accesslog-')), 'access.log');
    const def = { interface: 'dev.silk.test.Greeter', version: '2.0', methods: { greet: { parameterTypes: ['java.lang.String'] } } };
    const server = new ExchangeServer({ port: 0, host: '127.0.0.1', accessLog: file });
    server.export(def, { greet: (name: string) => `hello ${name}` });
    const port = await server.start();
    const client = new ExchangeClient({});
    const ref = new DubboReference(def, { client, discovery: staticProviders([`127.0.0.1:${port}`]), application: 'c', timeout: 2000 });
    await ref.proxy<{ greet(n: string): Promise<string> }>().greet('ann');
    await ref.proxy<{ greet(n: string): Promise<string> }>().greet('bob');
    await client.close(100);
    await server.stop(100);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${port} - dev\\.silk\\.test\\.Greeter:2\\.0 greet\\(java\\.lang\\.String\\) \\["ann"\\]$`));
    expect(lines[1]).toMatch(/greet\(java\.lang\.String\) \["bob"\]$/);
  });
});
