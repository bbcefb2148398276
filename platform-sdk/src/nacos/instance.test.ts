import { describe, expect, it } from 'vitest';
import { buildInstance, METADATA } from './instance.js';

describe('buildInstance (as Spring Cloud Alibaba registers)', () => {
  it('applies the Java starter defaults', () => {
    const i = buildInstance({ service: 'order-service', port: 8080, ip: '10.0.0.5' });
    expect(i).toEqual({
      serviceName: 'order-service',
      groupName: 'DEFAULT_GROUP',
      ip: '10.0.0.5',
      port: 8080,
      weight: 1,
      clusterName: 'DEFAULT',
      ephemeral: true,
      enabled: true,
      healthy: true,
      metadata: { 'preserved.register.source': 'SPRING_CLOUD' },
    });
  });

  it('adds secure, management and preserved heartbeat keys only when configured', () => {
    const i = buildInstance({
      service: 's',
      port: 8080,
      ip: '10.0.0.5',
      secure: true,
      metadata: { zone: 'a' },
      heartBeatInterval: 3000,
      management: { port: 9090, contextPath: '/mgmt', basePath: '/actuator' },
    });
    expect(i.metadata).toEqual({
      zone: 'a',
      [METADATA.registerSource]: 'SPRING_CLOUD',
      [METADATA.secure]: 'true',
      [METADATA.managementPort]: '9090',
      [METADATA.managementContextPath]: '/mgmt',
      [METADATA.managementBasePath]: '/actuator',
      [METADATA.heartBeatInterval]: '3000',
    });
    // Same management port as the app: the starter adds nothing.
    expect(
      buildInstance({ service: 's', port: 8080, ip: '1.1.1.1', management: { port: 8080 } }).metadata,
    ).toEqual({
      [METADATA.registerSource]: 'SPRING_CLOUD',
    });
  });

  it('refuses what Nacos would refuse, before calling it', () => {
    expect(() => buildInstance({ service: '', port: 1 })).toThrow(/service name/);
    expect(() => buildInstance({ service: 's', port: 70000 })).toThrow(/port/);
    expect(() => buildInstance({ service: 's', port: 1, weight: 0 })).toThrow(/weight/);
  });
});
