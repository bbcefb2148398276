import { describe, expect, it } from 'vitest';
import { buildMetadataInfo, metadataRevision } from './app-registration.js';
import { javaClassOf } from './java-values.js';
import { decodeAll } from './hessian-decoder.js';
import { encodeAll } from './hessian-encoder.js';

describe('application-level metadata', () => {
  it('computes the revision as Java MetadataInfo.calAndGetRevision does', () => {
    // A Java Dubbo 3.3.5 provider (interop/java/dubbo-app) registered this revision in Nacos
    // and answered these parameters from its MetadataService.
    const params = {
      side: 'provider',
      release: '3.3.5',
      methods:
        'addInt,addLong,attachment,doubled,echo,evens,fail,greet,half,maybeNull,next,nextDay,not,plusHours,reverse,reverseBytes,scale,slow,squares,upper',
      deprecated: 'false',
      dubbo: '2.0.2',
      interface: 'dev.silk.interop.dubbo.TypeMatrixService',
      'service-name-mapping': 'true',
      version: '1.0.0',
      generic: 'false',
      revision: 'app',
      application: 'silk-probe-java',
      'prefer.serialization': 'hessian2,fastjson2',
      dynamic: 'true',
      REGISTRY_CLUSTER: 'default',
    };
    const svc = {
      matchKey: 'dev.silk.interop.dubbo.TypeMatrixService:1.0.0:dubbo',
      port: 20899,
      name: 'dev.silk.interop.dubbo.TypeMatrixService',
      params,
    };
    expect(metadataRevision('silk-probe-java', [svc])).toBe('4b931e042efcdec5d9357e27eab41cc4');
  });

  it('builds a MetadataInfo Java can read, keyed by match key, whose revision follows the services', () => {
    const def = {
      interface: 'com.foo.Demo',
      version: '1.0.0',
      group: 'g',
      methods: { b: { parameterTypes: [] }, a: { parameterTypes: [] } },
    };
    const md = buildMetadataInfo('silk-app', [def], 20880);
    const back = decodeAll(encodeAll([md.value]))[0] as Record<string, unknown>;
    expect(javaClassOf(back)).toBe('org.apache.dubbo.metadata.MetadataInfo');
    const services = back.services as Map<string, Record<string, unknown>>;
    const info = services.get('g/com.foo.Demo:1.0.0:dubbo')!;
    expect(javaClassOf(info)).toBe('org.apache.dubbo.metadata.MetadataInfo$ServiceInfo');
    expect(info).toMatchObject({
      name: 'com.foo.Demo',
      group: 'g',
      version: '1.0.0',
      protocol: 'dubbo',
      port: 20880,
    });
    expect((info.params as Map<string, string>).get('methods')).toBe('a,b');
    expect(buildMetadataInfo('silk-app', [{ ...def, version: '1.0.1' }], 20880).revision).not.toBe(
      md.revision,
    );
  });
});
