import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nacos } from '@silk/stack/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NacosDiscovery, NacosRegistration } from '../nacos/index.js';
import { ServiceClient } from './index.js';

const connection = {
  serverAddr: `127.0.0.1:${nacos.port}`,
  username: nacos.username,
  password: nacos.password,
};
const service = `silk-byname-it-${process.pid}`;
const servers: Server[] = [];
const regs: NacosRegistration[] = [];
const discovery = new NacosDiscovery({ connection });
const client = new ServiceClient({ discovery });

beforeAll(async () => {
  for (const name of ['a', 'b']) {
    const s = createServer((_req, res) => res.end(name));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    const reg = new NacosRegistration({
      service,
      ip: '127.0.0.1',
      port: (s.address() as AddressInfo).port,
      connection,
    });
    await reg.start().catch((err: unknown) => {
      throw new Error(
        `Nacos not reachable on ${connection.serverAddr} — run \`pnpm stack up\` (${String(err)})`,
      );
    });
    regs.push(reg);
  }
});

afterAll(async () => {
  await client.close();
  await discovery.stop();
  for (const r of regs) await r.stop();
  for (const s of servers) s.close();
});

describe('calling a service by name through the real Nacos', () => {
  it('spreads calls over the registered instances', async () => {
    await expect
      .poll(async () => (await discovery.getInstances(service)).length, { timeout: 15_000 })
      .toBe(2);
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) answers.add(await (await client.call(`http://${service}/who`)).text());
    expect(answers).toEqual(new Set(['a', 'b']));
  });
});
