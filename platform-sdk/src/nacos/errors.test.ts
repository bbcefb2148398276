import { describe, expect, it } from 'vitest';
import { SilkError } from '../core/index.js';
import {
  NACOS_ERROR_CODES,
  NacosAuthError,
  NacosConfigUnavailableError,
  NacosRegistrationError,
} from './errors.js';

describe('nacos error catalogue', () => {
  it('gives each error its own stable code', () => {
    const errors = [
      new NacosRegistrationError('svc', '10.0.0.1:8080', '127.0.0.1:8848', new Error('refused')),
      new NacosAuthError('nacos', '127.0.0.1:8848', 403, 'unknown user'),
      new NacosConfigUnavailableError('svc.yaml', 'DEFAULT_GROUP', '127.0.0.1:8848', new Error('refused')),
    ];
    expect(errors.map((e) => e.code)).toEqual([
      NACOS_ERROR_CODES.registration,
      NACOS_ERROR_CODES.auth,
      NACOS_ERROR_CODES.configUnavailable,
    ]);
    expect(new Set(Object.values(NACOS_ERROR_CODES)).size).toBe(Object.keys(NACOS_ERROR_CODES).length);
    for (const e of errors) expect(e).toBeInstanceOf(SilkError);
  });

  it('marks what a retry can fix', () => {
    expect(new NacosConfigUnavailableError('a', 'g', 's', null).retryable).toBe(true);
    expect(new NacosAuthError('u', 's', 403, '').retryable).toBe(false);
  });

  it('names the input and the next step', () => {
    const e = new NacosConfigUnavailableError(
      'svc.yaml',
      'DEFAULT_GROUP',
      '127.0.0.1:8848',
      new Error('refused'),
    );
    expect(e.details).toEqual({ dataId: 'svc.yaml', group: 'DEFAULT_GROUP', serverAddr: '127.0.0.1:8848' });
    expect(e.message).toMatch(/DEFAULT_GROUP\/svc\.yaml.*refused.*check/);
  });
});
