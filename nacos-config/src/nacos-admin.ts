/**
 * The few Nacos HTTP calls publishing needs: login, read a config, publish a config, and make
 * sure a namespace exists. Reading and publishing use the v1 Open API (served by Nacos 2 and,
 * through its compatibility switch that is on by default, Nacos 3); namespaces use the v3
 * admin API because Nacos 3 turns the v1 console API off.
 */
export interface NacosTarget {
  /** e.g. http://127.0.0.1:8848 */
  baseUrl: string;
  contextPath: string;
  username: string;
  password: string;
}

export class NacosAdmin {
  private token: string | undefined;

  constructor(private readonly target: NacosTarget) {}

  private url(path: string, params: Record<string, string> = {}): string {
    const u = new URL(`${this.target.contextPath}${path}`, this.target.baseUrl);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    if (this.token) u.searchParams.set('accessToken', this.token);
    return u.toString();
  }

  async login(): Promise<void> {
    const body = new URLSearchParams({ username: this.target.username, password: this.target.password });
    let res: Response;
    try {
      res = await fetch(this.url('/v1/auth/users/login'), { method: 'POST', body });
    } catch (err) {
      throw new Error(
        `Nacos not reachable at ${this.target.baseUrl}: ${(err as Error).message} — is the stack up?`,
        {
          cause: err,
        },
      );
    }
    // Nacos 3.1 answers wrong credentials with 403, or with a bare 500 from its login
    // endpoint (no error handler behind it); both mean the same to the caller.
    if (res.status === 403 || res.status === 401 || res.status === 500) {
      throw new Error(
        `Nacos at ${this.target.baseUrl} refused user '${this.target.username}': wrong username or password (HTTP ${res.status})`,
      );
    }
    if (!res.ok) throw new Error(`Nacos login failed: HTTP ${res.status} ${await res.text()}`);
    const json = (await res.json()) as { accessToken?: string };
    if (!json.accessToken) throw new Error('Nacos login answered without an accessToken');
    this.token = json.accessToken;
  }

  /** The stored content, or undefined when the dataId does not exist. */
  async getConfig(tenant: string, group: string, dataId: string): Promise<string | undefined> {
    const res = await fetch(this.url('/v1/cs/configs', { dataId, group, tenant }));
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`reading ${tenant || 'public'}/${group}/${dataId}: HTTP ${res.status}`);
    return res.text();
  }

  async publishConfig(
    tenant: string,
    group: string,
    dataId: string,
    content: string,
    type: string,
  ): Promise<void> {
    const body = new URLSearchParams({ dataId, group, tenant, content, type });
    const res = await fetch(this.url('/v1/cs/configs'), { method: 'POST', body });
    const text = await res.text();
    if (!res.ok || text.trim() !== 'true') {
      throw new Error(`publishing ${tenant || 'public'}/${group}/${dataId}: HTTP ${res.status} ${text}`);
    }
  }

  async deleteConfig(tenant: string, group: string, dataId: string): Promise<void> {
    const res = await fetch(this.url('/v1/cs/configs', { dataId, group, tenant }), { method: 'DELETE' });
    if (!res.ok) throw new Error(`deleting ${tenant || 'public'}/${group}/${dataId}: HTTP ${res.status}`);
  }

  /** Creates the namespace when missing; true when it was created. */
  async ensureNamespace(namespaceId: string): Promise<boolean> {
    const list = await fetch(this.url('/v3/admin/core/namespace/list'));
    if (!list.ok) throw new Error(`listing namespaces: HTTP ${list.status} ${await list.text()}`);
    const { data } = (await list.json()) as { data?: { namespace: string }[] };
    if (data?.some((n) => n.namespace === namespaceId)) return false;
    const body = new URLSearchParams({
      namespaceId,
      namespaceName: namespaceId,
      namespaceDesc: 'published by silk',
    });
    const res = await fetch(this.url('/v3/admin/core/namespace'), { method: 'POST', body });
    if (!res.ok) throw new Error(`creating namespace ${namespaceId}: HTTP ${res.status} ${await res.text()}`);
    return true;
  }
}
