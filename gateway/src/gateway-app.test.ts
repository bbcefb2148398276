import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGatewaySettings } from './gateway-app.js';

const dirWith = (yaml?: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'silk-gw-settings-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'bootstrap.yaml'), yaml);
  return dir;
};

describe('readGatewaySettings', () => {
  it('defaults to Spring Cloud Gateway-like names when there is no bootstrap file', () => {
    expect(readGatewaySettings(dirWith(), {})).toEqual({
      name: 'silk-gateway',
      port: 9080,
      host: '0.0.0.0',
      group: 'DEFAULT_GROUP',
      routesDataId: 'silk-gateway-routes.yaml',
      flowRulesDataId: 'silk-gateway-gw-flow-rules.json',
      apiGroupsDataId: 'silk-gateway-gw-api-groups.json',
      redis: { host: '127.0.0.1', port: 6379, db: 0 },
    });
  });

  it('derives the dataIds from spring.application.name and reads Boot 2 redis keys', () => {
    const s = readGatewaySettings(
      dirWith('spring:\n  application:\n    name: edge\n  redis:\n    host: redis.local\n    port: 6380\nserver:\n  port: 8000\n'),
      {},
    );
    expect(s).toMatchObject({ name: 'edge', port: 8000, routesDataId: 'edge-routes.yaml', redis: { host: 'redis.local', port: 6380 } });
  });

  it('lets the environment win, with Spring names, and Boot 3 spring.data.redis over Boot 2', () => {
    const s = readGatewaySettings(dirWith('spring.redis.host: old\nsilk.gateway.routes-data-id: file.yaml\n'), {
      SERVER_PORT: '9999',
      SPRING_APPLICATION_NAME: 'edge2',
      SPRING_DATA_REDIS_HOST: 'new',
      SPRING_DATA_REDIS_PASSWORD: 'pw',
      SILK_GATEWAY_FLOWRULESDATAID: 'flow.json',
    });
    expect(s).toMatchObject({
      name: 'edge2',
      port: 9999,
      routesDataId: 'file.yaml',
      flowRulesDataId: 'flow.json',
      apiGroupsDataId: 'edge2-gw-api-groups.json',
      redis: { host: 'new', password: 'pw' },
    });
  });

  it('takes the gateway rule dataIds from spring.cloud.sentinel.datasource entries, as the SCA gateway starter does', () => {
    const yaml = `spring:
  application:
    name: edge
  cloud:
    sentinel:
      datasource:
        flow:
          nacos:
            data-id: edge-flow.json
            rule-type: gw-flow
        apis:
          nacos:
            data-id: edge-apis.json
            rule-type: gw-api-group
        degrade:
          nacos:
            data-id: edge-degrade.json
            rule-type: degrade
`;
    expect(readGatewaySettings(dirWith(yaml), {})).toMatchObject({ flowRulesDataId: 'edge-flow.json', apiGroupsDataId: 'edge-apis.json' });
    expect(readGatewaySettings(dirWith(yaml), { SILK_GATEWAY_FLOWRULESDATAID: 'x.json' }).flowRulesDataId).toBe('x.json');
  });
});
