import { describe, expect, it } from 'vitest';
import { compilePathPattern } from './path-pattern.js';

const path = (p: string, trailing = true) => compilePathPattern(p, { matchTrailingSlash: trailing });

describe('PathPattern as Spring Cloud Gateway uses it', () => {
  it('matches literals, and a trailing slash only when matchTrailingSlash is on', () => {
    expect(path('/red/blue').match('/red/blue')).toEqual({});
    expect(path('/red/blue').match('/red/blue/')).toEqual({});
    expect(path('/red/blue', false).match('/red/blue/')).toBeUndefined();
    expect(path('/red/blue').match('/red/blu')).toBeUndefined();
    expect(path('/a.b').match('/aXb')).toBeUndefined();
  });

  it('captures {segment} and {name:regex}, URL-decoded', () => {
    expect(path('/red/{segment}').match('/red/x%20y')).toEqual({ segment: 'x y' });
    expect(path('/red/{segment}').match('/red/a/b')).toBeUndefined();
    expect(path('/red/{segment}').match('/red/')).toBeUndefined();
    expect(path('/u/{id:\\d+}').match('/u/42')).toEqual({ id: '42' });
    expect(path('/u/{id:\\d+}').match('/u/x')).toBeUndefined();
    expect(path('/f/{name}.{ext}').match('/f/a.txt')).toEqual({ name: 'a', ext: 'txt' });
  });

  it('** matches zero or more segments, {*rest} captures them with the leading slash', () => {
    const p = path('/api/**');
    for (const ok of ['/api', '/api/', '/api/a', '/api/a/b/c']) expect(p.match(ok)).toEqual({});
    expect(p.match('/apix')).toBeUndefined();
    expect(path('/**').match('/anything/at/all')).toEqual({});
    expect(path('/files/{*rest}').match('/files/a/b')).toEqual({ rest: '/a/b' });
    expect(path('/files/{*rest}').match('/files')).toEqual({ rest: '' });
  });

  it('* and ? stay inside one segment', () => {
    expect(path('/img/*.png').match('/img/a.png')).toEqual({});
    expect(path('/img/*.png').match('/img/a/b.png')).toBeUndefined();
    expect(path('/t?st').match('/test')).toEqual({});
    expect(path('/t?st').match('/tst')).toBeUndefined();
    expect(path('/x/*').match('/x/')).toBeUndefined();
  });

  it('rejects ** in the middle, unclosed braces and bad regexes with the pattern named', () => {
    expect(() => path('/a/**/b')).toThrow(/only at the end of pattern '\/a\/\*\*\/b'/);
    expect(() => path('/a/{x')).toThrow(/unclosed/);
    expect(() => path('/a/{x:[}')).toThrow(/bad regex/);
    expect(() => path('/a/{x}/{x}')).toThrow(/twice/);
  });

  it('matches hosts with . as the separator, as AntPathMatcher(".") does', () => {
    const host = (p: string) => compilePathPattern(p, { separator: '.' });
    expect(host('**.somehost.org').match('www.somehost.org')).toEqual({});
    expect(host('**.somehost.org').match('a.b.somehost.org')).toEqual({});
    expect(host('**.somehost.org').match('somehost.org')).toEqual({});
    expect(host('**.somehost.org').match('www.otherhost.org')).toBeUndefined();
    expect(host('{sub}.myhost.org').match('beta.myhost.org')).toEqual({ sub: 'beta' });
    expect(host('*.myhost.org:8080').match('a.myhost.org:8080')).toEqual({});
  });
});
