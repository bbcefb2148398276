import { describe, expect, it } from 'vitest';
import { host, nacos } from './config.js';
import { nacosLogin } from './servers/nacos.js';

const base = `http://${host}:${nacos.port}${nacos.contextPath}`;
// Names unique per run, so reruns against the same long-lived server never see stale data.
const run = `${process.pid}-${Date.now()}`;

/**
 * Every test awaits this instead of a beforeAll, so a stack that is down makes each test FAIL with
 * the same clear message (a failing beforeAll would report them as skipped).
 */
let session: Promise<string> | undefined;
function login(): Promise<string> {
  session ??= (async () => {
    const reachable = await fetch(`${base}/v3/admin/core/state`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!reachable) throw new Error(`Nacos not reachable on ${host}:${nacos.port} — run \`pnpm stack up\``);
    return nacosLogin();
  })();
  return session;
}

async function get(path: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
}

async function post(path: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(params) });
}

/** Config publishes reach readers after an asynchronous dump; poll briefly instead of sleeping. */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Nacos started by the stack', () => {
  it('reports the configured version and runs standalone with auth on', async () => {
    await login();
    const res = await get('/v3/admin/core/state', {});
    const state = ((await res.json()) as { data: Record<string, string | null> }).data;
    expect(state.version).toBe(nacos.version);
    expect(state.startup_mode).toBe('standalone');
    expect(state.auth_enabled).toBe('true');
  });

  it('registers an instance over the v1 Open API and lists it back', async () => {
    const token = await login();
    const serviceName = `silk-it-${run}`;
    const reg = await post('/v1/ns/instance', {
      serviceName,
      ip: '127.0.0.1',
      port: '18999',
      // Persistent, so the instance stays without a heartbeat for the length of the test.
      ephemeral: 'false',
      metadata: JSON.stringify({ 'preserved.register.source': 'SPRING_CLOUD' }),
      accessToken: token,
    });
    expect(reg.status).toBe(200);
    expect(await reg.text()).toBe('ok');

    type Host = { ip: string; port: number; metadata: Record<string, string> };
    // The instance list is served from a cache that follows a registration within a moment.
    const listed = async () => {
      const list = await get('/v1/ns/instance/list', { serviceName, accessToken: token });
      expect(list.status).toBe(200);
      return ((await list.json()) as { hosts: Host[] }).hosts;
    };
    await expect.poll(listed, { timeout: 10_000 }).toHaveLength(1);
    const hosts = await listed();
    expect(hosts[0]).toMatchObject({
      ip: '127.0.0.1',
      port: 18999,
      metadata: { 'preserved.register.source': 'SPRING_CLOUD' },
    });

    const del = await fetch(
      `${base}/v1/ns/instance?${new URLSearchParams({ serviceName, ip: '127.0.0.1', port: '18999', ephemeral: 'false', accessToken: token }).toString()}`,
      { method: 'DELETE' },
    );
    expect(del.status).toBe(200);
  });

  it('publishes a config and reads it back', async () => {
    const token = await login();
    const dataId = `silk-it-${run}.yaml`;
    const content = `silk:\n  run: "${run}"\n`;
    const pub = await post('/v1/cs/configs', {
      dataId,
      group: 'DEFAULT_GROUP',
      content,
      type: 'yaml',
      accessToken: token,
    });
    expect(pub.status).toBe(200);
    expect(await pub.text()).toBe('true');

    const read = await eventually(async () => {
      const res = await get('/v1/cs/configs', { dataId, group: 'DEFAULT_GROUP', accessToken: token });
      return res.status === 200 ? res.text() : undefined;
    });
    expect(read).toBe(content);

    const del = await fetch(
      `${base}/v1/cs/configs?${new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', accessToken: token }).toString()}`,
      { method: 'DELETE' },
    );
    expect(del.status).toBe(200);
  });

  it('refuses a request without a token (auth is on)', async () => {
    await login();
    const res = await get('/v1/ns/instance/list', { serviceName: `silk-it-${run}` });
    expect(res.status).toBe(403);
  });

  it('rejects wrong credentials with a clear error', async () => {
    await login();
    await expect(nacosLogin(nacos.username, 'not-the-password')).rejects.toThrow(
      /wrong username or password/,
    );
    await expect(nacosLogin(`nobody-${run}`, 'x')).rejects.toThrow(/wrong username or password/);
  });

  it('serves the console UI on its own port', async () => {
    await login();
    const res = await fetch(`http://${host}:${nacos.consolePort}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<title>\s*Nacos\s*<\/title>/i);
    // The single-page app's bundle, which is what a browser actually runs.
    expect(html).toContain('js/main.js');
    const bundle = await fetch(`http://${host}:${nacos.consolePort}/js/main.js`);
    expect(bundle.status).toBe(200);
  });
});
