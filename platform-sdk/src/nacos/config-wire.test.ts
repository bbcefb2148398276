import { describe, expect, it } from 'vitest';
import {
  LINE_SEPARATOR as L,
  WORD_SEPARATOR as W,
  contentMd5,
  decodeChangedConfigs,
  encodeListeningConfigs,
  groupKey,
} from './config-wire.js';

describe('config long-poll wire format', () => {
  it('spells Listening-Configs with the tenant only when there is one', () => {
    const body = encodeListeningConfigs([
      { dataId: 'a.yaml', group: 'DEFAULT_GROUP', tenant: '', md5: '' },
      { dataId: 'b.json', group: 'G', tenant: 'dev', md5: 'abc' },
    ]);
    expect(body).toBe(`a.yaml${W}DEFAULT_GROUP${W}${L}b.json${W}G${W}abc${W}dev${L}`);
  });

  it('reads the URL-encoded list of changed keys the server answers', () => {
    const body = encodeURIComponent(`a.yaml${W}DEFAULT_GROUP${L}b.json${W}G${W}dev${L}`);
    expect(decodeChangedConfigs(body)).toEqual([
      { dataId: 'a.yaml', group: 'DEFAULT_GROUP', tenant: '' },
      { dataId: 'b.json', group: 'G', tenant: 'dev' },
    ]);
    expect(decodeChangedConfigs('')).toEqual([]);
    expect(decodeChangedConfigs('\n')).toEqual([]);
  });

  it('digests content as Nacos does (hex MD5 of UTF-8), empty for none', () => {
    expect(contentMd5(undefined)).toBe('');
    expect(contentMd5('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(contentMd5('The quick brown fox jumps over the lazy dog')).toBe(
      '9e107d9d372bb6826bd81d3542a419d6',
    );
  });

  it('keys a config by dataId, group and tenant', () => {
    expect(groupKey({ dataId: 'a', group: 'g', tenant: '' })).toBe('a+g');
    expect(groupKey({ dataId: 'a', group: 'g', tenant: 'ns' })).toBe('a+g+ns');
  });
});
