import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configType, readLayout } from './layout.js';
import { tenantOf } from './publish.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'silk-nacos-layout-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('nacos-config layout', () => {
  it('reads namespace/group/dataId with the type from the extension', () => {
    const root = tree({
      'public/DEFAULT_GROUP/order-service.yaml': 'a: 1\n',
      'dev/SENTINEL_GROUP/order-service-flow-rules.json': '[]',
      'public/DEFAULT_GROUP/legacy.properties': 'a=1',
    });
    const entries = readLayout(root).map(({ namespace, group, dataId, type }) => ({
      namespace,
      group,
      dataId,
      type,
    }));
    expect(entries).toEqual([
      { namespace: 'dev', group: 'SENTINEL_GROUP', dataId: 'order-service-flow-rules.json', type: 'json' },
      { namespace: 'public', group: 'DEFAULT_GROUP', dataId: 'legacy.properties', type: 'properties' },
      { namespace: 'public', group: 'DEFAULT_GROUP', dataId: 'order-service.yaml', type: 'yaml' },
    ]);
  });

  it('skips the tool folder and dotfiles', () => {
    const root = tree({ 'src/x/y.ts': '', 'public/G/.hidden': '', 'public/G/a.yml': 'x: 1' });
    expect(readLayout(root).map((e) => e.dataId)).toEqual(['a.yml']);
  });

  it('refuses a dataId Nacos would refuse, naming the file', () => {
    const root = tree({ 'public/DEFAULT_GROUP/bad name.yaml': '' });
    expect(() => readLayout(root)).toThrow(/bad name\.yaml/);
  });

  it('maps extensions and the public namespace as the Java client does', () => {
    expect(configType('a.YML')).toBe('yaml');
    expect(configType('a')).toBe('text');
    expect(tenantOf('public')).toBe('');
    expect(tenantOf('dev')).toBe('dev');
  });

  it('the repository content itself is valid', () => {
    expect(readLayout(join(import.meta.dirname, '..')).length).toBeGreaterThan(0);
  });
});
