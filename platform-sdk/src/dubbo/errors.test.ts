import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import {
  BadArgumentError,
  BadFrameError,
  ConnectionClosedError,
  DUBBO_ERROR_CODES,
  DubboCodecError,
  DubboRemoteException,
  DubboRemoteStatusError,
  DubboShutdownError,
  DubboTimeoutError,
  NoProviderError,
  PayloadTooLargeError,
} from './errors.js';
import { JavaThrowable } from './java-values.js';

describe('dubbo error catalogue', () => {
  const site = { service: 'com.foo.DemoService', method: 'sayHello', address: '10.0.0.7:20880' };
  const samples = [
    new DubboCodecError('unknown Hessian 2 code 0x99'),
    new BadFrameError('bad magic 0x4745'),
    new PayloadTooLargeError(9_000_000, 8_388_608),
    new DubboTimeoutError(site, 1000),
    new DubboRemoteException(site, new JavaThrowable('java.lang.IllegalArgumentException', 'bad name')),
    new DubboRemoteStatusError(site, 60, 'SERVICE_NOT_FOUND', 'Not found exported service'),
    new ConnectionClosedError('10.0.0.7:20880', 'closed by peer'),
    new NoProviderError('com.foo.DemoService:1.0.0'),
    new DubboShutdownError('this Dubbo consumer'),
    new BadArgumentError('com.foo.DemoService declares no method x'),
  ];

  it('has one class per code, every code SILK_DUBBO_*', () => {
    expect(samples.map((e) => e.code).sort()).toEqual(Object.values(DUBBO_ERROR_CODES).sort());
    for (const code of Object.values(DUBBO_ERROR_CODES)) expect(code).toMatch(/^SILK_DUBBO_[A-Z_]+$/);
  });

  it('are SilkErrors whose message names the service, method or address that failed', () => {
    for (const e of samples) {
      expect(isSilkError(e)).toBe(true);
      expect(e.name).toBe(e.constructor.name);
    }
    expect(samples[3]!.message).toContain('com.foo.DemoService.sayHello on 10.0.0.7:20880');
    const remote = samples[4] as DubboRemoteException;
    expect(remote.javaClass).toBe('java.lang.IllegalArgumentException');
    expect(remote.message).toContain('bad name');
  });

  it('marks as retryable exactly what another provider may do better', () => {
    const retryable = samples.filter((e) => e.retryable).map((e) => e.code);
    expect(retryable.sort()).toEqual(
      [DUBBO_ERROR_CODES.connectionClosed, DUBBO_ERROR_CODES.noProvider, DUBBO_ERROR_CODES.shutdown].sort(),
    );
    expect(new DubboRemoteStatusError(site, 100, 'SERVER_THREADPOOL_EXHAUSTED_ERROR', 'full').retryable).toBe(
      true,
    );
  });
});
