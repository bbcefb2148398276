import { describe, expect, it } from 'vitest';
import { configSources } from './index.js';

describe('configSources (Spring Cloud Alibaba precedence)', () => {
  it('orders shared, extension, then the application dataIds, lowest first', () => {
    const sources = configSources({
      name: 'order-service',
      fileExtension: 'yaml',
      profiles: ['dev', 'local'],
      sharedConfigs: [{ dataId: 'common.yaml' }, { dataId: 'db.properties', group: 'INFRA', refresh: true }],
      extensionConfigs: [{ dataId: 'feature-flags.json', refresh: true }],
    });
    expect(sources.map((s) => `${s.kind}:${s.group}/${s.dataId}:${s.format}:${s.refresh}`)).toEqual([
      'shared:DEFAULT_GROUP/common.yaml:yaml:false',
      'shared:INFRA/db.properties:properties:true',
      'extension:DEFAULT_GROUP/feature-flags.json:json:true',
      'application:DEFAULT_GROUP/order-service:yaml:true',
      'application:DEFAULT_GROUP/order-service.yaml:yaml:true',
      'application:DEFAULT_GROUP/order-service-dev.yaml:yaml:true',
      'application:DEFAULT_GROUP/order-service-local.yaml:yaml:true',
    ]);
  });

  it('uses the defaults a Java app gets: properties, DEFAULT_GROUP, prefix = name', () => {
    const sources = configSources({ name: 'account' });
    expect(sources.map((s) => s.dataId)).toEqual(['account', 'account.properties']);
    expect(sources.every((s) => s.group === 'DEFAULT_GROUP' && s.format === 'properties')).toBe(true);
  });

  it('honours prefix, group and refreshEnabled=false', () => {
    const sources = configSources({ name: 'a', prefix: 'p', group: 'G', refreshEnabled: false });
    expect(sources.map((s) => `${s.group}/${s.dataId}:${s.refresh}`)).toEqual([
      'G/p:false',
      'G/p.properties:false',
    ]);
  });
});
