/**
 * A lean client of the Nacos HTTP Open API for the config calls: keep-alive connections, the
 * server list tried in turn, and auth by access token. It logs in once and sends the token
 * (`accessToken`) with every call, refreshing it a tenth of its lifetime before it expires as
 * the Java client's SecurityProxy does. Sending username and password with each call instead,
 * as the `nacos` npm client does, makes the server check the password hash on every request:
 * some 75 ms a call on the stack's Nacos against 2 ms with a token, and that cost sat between
 * a config change and its listener.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { NacosConnection } from './client.js';
import { NacosAuthError } from './errors.js';

export interface OpenApiResponse {
  status: number;
  body: string;
}

export interface OpenApiCall {
  timeoutMs: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface NacosOpenApiOptions {
  /** Nacos' web context; default `/nacos`. */
  contextPath?: string;
  now?: () => number;
}

const LOGIN_PATH = '/v1/auth/users/login';

/** One login per server list and user, shared by every client in the process. */
interface TokenState {
  token: { value: string; refreshAt: number } | undefined;
  login: Promise<string> | undefined;
}
const tokens = new Map<string, TokenState>();

export class NacosOpenApi {
  readonly #servers: string[];
  readonly #contextPath: string;
  readonly #now: () => number;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 8 });
  #current = 0;
  // Config, naming, discovery and each rule source build their own client; logging in once for
  // all of them saves a password check (~75 ms on the server) per client at start.
  readonly #auth: TokenState;

  constructor(
    readonly connection: NacosConnection,
    opts: NacosOpenApiOptions = {},
  ) {
    this.#servers = connection.serverAddr
      .split(',')
      .map((s) => s.trim().replace(/^https?:\/\//, ''))
      .filter(Boolean);
    this.#contextPath = opts.contextPath ?? '/nacos';
    this.#now = opts.now ?? Date.now;
    const key = JSON.stringify([this.#servers, this.#contextPath, connection.username, connection.password]);
    let auth = tokens.get(key);
    if (!auth) tokens.set(key, (auth = { token: undefined, login: undefined }));
    this.#auth = auth;
  }

  /** The server calls go to now; moves on to the next after a call fails to connect. */
  get server(): string {
    return this.#servers[this.#current % this.#servers.length] ?? '';
  }

  /**
   * POST sends `params` as a form body, other methods in the query (the servlet container
   * parses form bodies of POST only); the token is added either way.
   */
  async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    params: Record<string, string>,
    opts: OpenApiCall,
  ): Promise<OpenApiResponse> {
    const token = await this.#accessToken();
    const res = await this.#send(method, path, token ? { ...params, accessToken: token } : params, opts);
    if (res.status !== 403 || !token) return res;
    // A token the server no longer takes (a restarted server with a new secret, a clock jump):
    // log in again once.
    if (this.#auth.token?.value === token) this.#auth.token = undefined;
    const fresh = await this.#accessToken();
    return this.#send(method, path, { ...params, accessToken: fresh ?? '' }, opts);
  }

  /**
   * Logs in now rather than on the first call (a no-op without a username, or with a valid
   * token), so the password check overlaps other start-up work; a failure surfaces on that call.
   */
  login(): Promise<void> {
    return this.#accessToken().then(
      () => undefined,
      () => undefined,
    );
  }

  close(): void {
    this.#agent.destroy();
  }

  async #accessToken(): Promise<string | undefined> {
    const { username, password } = this.connection;
    if (!username) return undefined;
    const auth = this.#auth;
    if (auth.token && this.#now() < auth.token.refreshAt) return auth.token.value;
    auth.login ??= this.#send('POST', LOGIN_PATH, { username, password: password ?? '' }, { timeoutMs: 5000 })
      .then((res) => {
        const body =
          res.status === 200 ? (JSON.parse(res.body) as { accessToken?: string; tokenTtl?: number }) : {};
        if (!body.accessToken) throw new NacosAuthError(username, this.server, res.status, res.body);
        const ttlMs = (body.tokenTtl ?? 18_000) * 1000;
        auth.token = { value: body.accessToken, refreshAt: this.#now() + ttlMs - ttlMs / 10 };
        return body.accessToken;
      })
      .finally(() => (auth.login = undefined));
    return auth.login;
  }

  #send(
    method: string,
    path: string,
    params: Record<string, string>,
    opts: OpenApiCall,
  ): Promise<OpenApiResponse> {
    const server = this.server;
    const form = new URLSearchParams(params).toString();
    const inBody = method === 'POST';
    const url = `http://${server}${this.#contextPath}${path}${inBody ? '' : `?${form}`}`;
    const headers: Record<string, string> = { ...opts.headers };
    if (inBody) headers['content-type'] = 'application/x-www-form-urlencoded;charset=utf-8';
    return new Promise<OpenApiResponse>((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent: this.#agent, signal: opts.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(opts.timeoutMs, () =>
        req.destroy(new Error(`no answer from Nacos at ${server} in ${opts.timeoutMs} ms`)),
      );
      req.on('error', (err) => {
        // Only a failure to reach this server moves on to the next one; an abort is the caller's.
        if (!opts.signal?.aborted) this.#current++;
        reject(err);
      });
      req.end(inBody ? form : undefined);
    });
  }
}
