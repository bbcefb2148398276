import { describe, expect, it } from 'vitest';
import { nacosServiceName, providerMetadata, withRetries } from './nacos-registry.js';

describe('interface-level registration', () => {
  it('names services as NacosRegistry does, empty parts kept', () => {
    expect(nacosServiceName({ interface: 'com.foo.Demo', version: '1.0.0', group: 'g' })).toBe(
      'providers:com.foo.Demo:1.0.0:g',
    );
    expect(nacosServiceName({ interface: 'com.foo.Demo' })).toBe('providers:com.foo.Demo::');
  });

  it('registers the metadata keys a Java Dubbo 3.3.5 provider registers', () => {
    // Keys read back from Nacos for interop/java/dubbo-app's provider (register-mode all, no group).
    const javaKeys = [
      'side',
      'release',
      'methods',
      'deprecated',
      'dubbo',
      'interface',
      'service-name-mapping',
      'version',
      'generic',
      'revision',
      'path',
      'protocol',
      'application',
      'prefer.serialization',
      'dynamic',
      'category',
      'timestamp',
    ];
    const def = {
      interface: 'com.foo.Demo',
      version: '1.0.0',
      methods: { b: { parameterTypes: [] }, a: { parameterTypes: [] } },
    };
    const md = providerMetadata(def, { application: 'silk-app', port: 20880, timestamp: 1, mapped: true });
    // `revision` is the one Java key not registered; Java consumers find providers without it
    // (java-interop.it.test.ts).
    expect(Object.keys(md).sort()).toEqual(javaKeys.filter((k) => k !== 'revision').sort());
    expect(md).toMatchObject({
      methods: 'a,b',
      protocol: 'dubbo',
      category: 'providers',
      'prefer.serialization': 'hessian2',
      path: 'com.foo.Demo',
    });
    expect(
      providerMetadata({ ...def, group: 'g' }, { application: 'a', port: 1, timestamp: 1, mapped: false }),
    ).toMatchObject({ group: 'g' });
  });

  it('retries a failed Nacos write before giving up, as FailbackRegistry does', async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(new Error('busy')) : Promise.resolve('ok'));
    await expect(withRetries('registering x', flaky, 5, 1)).resolves.toBe('ok');
    expect(calls).toBe(3);
    await expect(withRetries('registering y', () => Promise.reject(new Error('down')), 3, 1)).rejects.toThrow(
      /registering y failed 3 times/,
    );
  });
});
