import { describe, expect, it } from 'vitest';
import { CONFIG_ERROR_CODES, envName, mergeFlat, resolveText, unflatten } from './index.js';

const lookup = (m: Record<string, string>) => (k: string) => m[k];

describe('placeholders', () => {
  it('resolves nested placeholders and defaults', () => {
    expect(resolveText('${a:${b:x}}-${c}', lookup({ c: 'C' }), 'k')).toBe('x-C');
    expect(resolveText('${a:${b:x}}', lookup({ b: 'B' }), 'k')).toBe('B');
    expect(resolveText('url=http://${host:localhost}:${port:80}/p', lookup({}), 'k')).toBe(
      'url=http://localhost:80/p',
    );
  });

  it('detects cycles and missing values with a coded error', () => {
    expect(() => resolveText('${a}', lookup({ a: '${b}', b: '${a}' }), 'k')).toThrow(
      expect.objectContaining({ code: CONFIG_ERROR_CODES.placeholder }),
    );
    expect(() => resolveText('${nope}', lookup({}), 'k')).toThrow(/nope/);
  });
});

describe('flat keys', () => {
  it('maps keys to environment names as Spring does', () => {
    expect(envName('spring.application.name')).toBe('SPRING_APPLICATION_NAME');
    expect(envName('my-app.servers[0].port')).toBe('MYAPP_SERVERS_0_PORT');
  });

  it('replaces a list whole when a higher source defines it', () => {
    const merged = mergeFlat([
      new Map<string, unknown>([
        ['l[0]', 'a'],
        ['l[1]', 'b'],
        ['x', 1],
      ]),
      new Map<string, unknown>([['l[0]', 'c']]),
    ]);
    expect(unflatten(merged)).toEqual({ l: ['c'], x: 1 });
  });
});
