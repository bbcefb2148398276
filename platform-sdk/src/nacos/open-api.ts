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

export class NacosOpenApi {
  readonly #servers: string[];
  readonly #contextPath: string;
  readonly #now: () => number;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 8 });
  #current = 0;
  #token: { value: string; refreshAt: number } | undefined;
  #login: Promise<string> | undefined;

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
  }

  /** The server calls go to now; moves on to the next after a call fails to connect. */
  get server(): string {
    return this.#servers[this.#current % this.#servers.length] ?? '';
  }

  /** GET sends `params` in the query, other methods as a form body; the token is added to both. */
  async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params: Record<string, string>,
    opts: OpenApiCall,
  ): Promise<OpenApiResponse> {
    const token = await this.#accessToken();
    const res = await this.#send(method, path, token ? { ...params, accessToken: token } : params, opts);
    if (res.status !== 403 || !token) return res;
    // A token the server no longer takes (a restarted server with a new secret, a clock jump):
    // log in again once.
    this.#token = undefined;
    const fresh = await this.#accessToken();
    return this.#send(method, path, { ...params, accessToken: fresh ?? '' }, opts);
  }

  close(): void {
    this.#agent.destroy();
  }

  async #accessToken(): Promise<string | undefined> {
    const { username, password } = this.connection;
    if (!username) return undefined;
    if (this.#token && this.#now() < this.#token.refreshAt) return this.#token.value;
    this.#login ??= this.#send(
      'POST',
      LOGIN_PATH,
      { username, password: password ?? '' },
      { timeoutMs: 5000 },
    )
      .then((res) => {
        const body =
          res.status === 200 ? (JSON.parse(res.body) as { accessToken?: string; tokenTtl?: number }) : {};
        if (!body.accessToken) throw new NacosAuthError(username, this.server, res.status, res.body);
        const ttlMs = (body.tokenTtl ?? 18_000) * 1000;
        this.#token = { value: body.accessToken, refreshAt: this.#now() + ttlMs - ttlMs / 10 };
        return body.accessToken;
      })
      .finally(() => (this.#login = undefined));
    return this.#login;
  }

  #send(
    method: string,
    path: string,
    params: Record<string, string>,
    opts: OpenApiCall,
  ): Promise<OpenApiResponse> {
    const server = this.server;
    const form = new URLSearchParams(params).toString();
    const url = `http://${server}${this.#contextPath}${path}${method === 'GET' ? `?${form}` : ''}`;
    const headers: Record<string, string> = { ...opts.headers };
    if (method !== 'GET') headers['content-type'] = 'application/x-www-form-urlencoded;charset=utf-8';
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
      req.end(method === 'GET' ? undefined : form);
    });
  }
}
