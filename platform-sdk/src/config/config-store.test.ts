import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_ERROR_CODES, ConfigStore, configSources } from './index.js';

const schema = z.object({
  server: z.object({ port: z.coerce.number().int().positive() }),
  feature: z.object({ enabled: z.coerce.boolean().default(false) }).default({ enabled: false }),
  greeting: z.string().default('hello'),
  servers: z.array(z.string()).default([]),
});

const sources = configSources({
  name: 'demo',
  fileExtension: 'yaml',
  profiles: ['dev'],
  sharedConfigs: [{ dataId: 'shared.properties' }],
});
const key = (dataId: string) => `DEFAULT_GROUP/${dataId}`;

function store(env: NodeJS.ProcessEnv = {}) {
  return new ConfigStore(sources, schema, { env, profiles: ['dev'] });
}

describe('ConfigStore', () => {
  it('merges by precedence, resolves placeholders and validates', async () => {
    const s = store();
    const cfg = await s.load(
      new Map([
        [key('shared.properties'), 'server.port=8000\nbase.name=silk\nservers[0]=a\nservers[1]=b'],
        [key('demo.yaml'), 'greeting: "hi ${base.name} from ${region:eu}"\nservers: [c]'],
        [key('demo-dev.yaml'), 'server:\n  port: 9000\n'],
      ]),
    );
    expect(cfg).toEqual({
      server: { port: 9000 },
      feature: { enabled: false },
      greeting: 'hi silk from eu',
      servers: ['c'],
    });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('lets the environment override, Spring style', async () => {
    const s = store({ SERVER_PORT: '7000', REGION: 'cn' });
    const cfg = await s.load(new Map([[key('demo.yaml'), 'server.port: 1\ngreeting: ${region}']]));
    expect(cfg.server.port).toBe(7000);
    expect(cfg.greeting).toBe('cn');
  });

  it('swaps a change in atomically and tells listeners old and new', async () => {
    const s = store();
    await s.load(new Map([[key('demo.yaml'), 'server.port: 1']]));
    const seen: [number, number][] = [];
    s.onChange((next, prev) => seen.push([prev.server.port, next.server.port]));
    expect(await s.update({ dataId: 'demo.yaml', group: 'DEFAULT_GROUP' }, 'server.port: 2')).toBe(true);
    expect(seen).toEqual([[1, 2]]);
    // Same effective config: no event.
    expect(await s.update({ dataId: 'demo.yaml', group: 'DEFAULT_GROUP' }, 'server:\n  port: 2')).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('keeps the last good config on bad YAML and on schema failure, and says why', async () => {
    const s = store();
    await s.load(new Map([[key('demo.yaml'), 'server.port: 1']]));
    expect(await s.update({ dataId: 'demo.yaml', group: 'DEFAULT_GROUP' }, 'server: [unclosed')).toBe(false);
    expect(s.current.server.port).toBe(1);
    expect(s.health().lastError).toMatchObject({ code: CONFIG_ERROR_CODES.invalid, dataId: 'demo.yaml' });

    expect(await s.update({ dataId: 'demo-dev.yaml', group: 'DEFAULT_GROUP' }, 'server.port: -5')).toBe(
      false,
    );
    expect(s.current.server.port).toBe(1);
    expect(s.health().lastError?.message).toMatch(/server\.port/);

    // A later good change to another source does not resurrect the refused content.
    expect(await s.update({ dataId: 'shared.properties', group: 'DEFAULT_GROUP' }, 'greeting=yo')).toBe(true);
    expect(s.current).toMatchObject({ server: { port: 1 }, greeting: 'yo' });
    expect(s.health().lastError).toBeUndefined();
  });

  it('refuses an unresolvable placeholder with a coded error', async () => {
    const s = store();
    await expect(s.load(new Map([[key('demo.yaml'), 'server.port: ${missing.port}']]))).rejects.toMatchObject(
      {
        code: CONFIG_ERROR_CODES.invalid,
      },
    );
    expect(s.loaded).toBe(false);
  });

  it('honours YAML documents activated per profile', async () => {
    const s = store();
    const cfg = await s.load(
      new Map([
        [
          key('demo.yaml'),
          'server.port: 1\n---\nspring.config.activate.on-profile: dev\nserver.port: 2\n---\nspring.config.activate.on-profile: prod\nserver.port: 3\n',
        ],
      ]),
    );
    expect(cfg.server.port).toBe(2);
  });
});
