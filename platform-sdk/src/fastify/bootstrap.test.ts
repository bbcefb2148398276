import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBootstrap } from './bootstrap.js';

function bootstrapFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'silk-bootstrap-'));
  writeFileSync(join(dir, 'bootstrap.yaml'), yaml);
  return dir;
}

describe('loadBootstrap: spring.cloud.sentinel', () => {
  it('reads data sources, transport and block handling as spring-cloud-alibaba names them', () => {
    const dir = bootstrapFile(`
spring:
  cloud:
    sentinel:
      http-method-specify: true
      block-page: /busy.html
      transport:
        dashboard: 127.0.0.1:8858
        port: 8720
      datasource:
        flow-ds:
          nacos:
            server-addr: 10.0.0.1:8848
            data-id: orders-flow-rules
            group-id: SENTINEL_GROUP
            rule-type: flow
        degrade-ds:
          file:
            file: /etc/rules/degrade.json
            rule-type: degrade
silk:
  sentinel:
    origin-header: s-user
`);
    const s = loadBootstrap('orders', dir, {}).sentinel;
    expect(s).toMatchObject({
      appName: 'orders',
      enabled: true,
      httpMethodSpecify: true,
      blockPage: '/busy.html',
      originHeader: 's-user',
      transport: { dashboard: '127.0.0.1:8858', port: 8720 },
    });
    expect(s.datasources).toEqual([
      {
        name: 'flow-ds',
        ruleType: 'flow',
        nacos: { dataId: 'orders-flow-rules', groupId: 'SENTINEL_GROUP', serverAddr: '10.0.0.1:8848' },
      },
      { name: 'degrade-ds', ruleType: 'degrade', file: { file: '/etc/rules/degrade.json' } },
    ]);
  });

  it('is on with no data sources when nothing is configured, and can be switched off', () => {
    expect(loadBootstrap('a', bootstrapFile('server:\n  port: 1\n'), {}).sentinel).toMatchObject({
      enabled: true,
      datasources: [],
    });
    const off = bootstrapFile('spring:\n  cloud:\n    sentinel:\n      enabled: false\n');
    expect(loadBootstrap('a', off, {}).sentinel.enabled).toBe(false);
  });

  it('takes an empty transport.dashboard as none, and lets the environment fill it', () => {
    const dir = bootstrapFile('spring:\n  cloud:\n    sentinel:\n      transport:\n        dashboard: ""\n');
    expect(loadBootstrap('a', dir, {}).sentinel.transport.dashboard).toBeUndefined();
    const env = { SPRING_CLOUD_SENTINEL_TRANSPORT_DASHBOARD: '127.0.0.1:8858' };
    expect(loadBootstrap('a', dir, env).sentinel.transport.dashboard).toBe('127.0.0.1:8858');
  });
});
