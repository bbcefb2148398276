/**
 * The client side of the Sentinel dashboard protocol, as sentinel-transport-simple-http runs
 * it inside a Java app:
 *
 * - a command server on `csp.sentinel.api.port` (8719 by default; when taken, the next ports
 *   are tried, as Java does) answering `GET|POST /<command>?<params>` — POST bodies are
 *   `application/x-www-form-urlencoded`, which the dashboard uses for `setRules` once the
 *   client reports a version ≥ 1.6;
 * - a heartbeat, `POST http://<dashboard>/registry/machine` every 10 s with app, app_type,
 *   hostname, ip, port (the command port), v (protocol version) and version (now, ms), which
 *   is how the dashboard learns the machine exists and where to send commands.
 *
 * Success is 200 with the handler's text; a failed command is 400 with its message; an unknown
 * command is 400 "Unknown command `x`" — the statuses Java's HttpEventTask writes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname as osHostname } from 'node:os';
import type { Sentinel } from '../sentinel/index.js';
import { commandHandlers, SENTINEL_PROTOCOL_VERSION, type CommandHandler } from './commands.js';

export const DEFAULT_COMMAND_PORT = 8719;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
export const HEARTBEAT_PATH = '/registry/machine';
/** Java reads at most this much of a request; rule sets beyond it are refused. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface DashboardTransportOptions {
  sentinel: Sentinel;
  /** `project.name` / spring.application.name: the app the dashboard lists the machine under. */
  appName: string;
  /** `csp.sentinel.dashboard.server`: host:port[,host:port]; no heartbeat when absent. */
  dashboard?: string;
  /** `csp.sentinel.api.port`; default 8719. 0 picks any free port. */
  port?: number;
  /** Address the dashboard should call back; default the first non-internal IPv4. */
  clientIp: string;
  /** Bind address of the command server; default all interfaces, as Java. */
  host?: string;
  heartbeatIntervalMs?: number;
  /** 0 for a service, 1 for an API gateway (SentinelConfig.getAppType). */
  appType?: number;
  onHeartbeatError?: (err: unknown) => void;
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class DashboardTransport {
  readonly #opts: DashboardTransportOptions;
  readonly #handlers: Map<string, CommandHandler>;
  #server: Server | undefined;
  #port = -1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #dashboardIdx = 0;
  #beating: Promise<boolean> | undefined;

  constructor(opts: DashboardTransportOptions) {
    this.#opts = opts;
    this.#handlers = commandHandlers({
      sentinel: opts.sentinel,
      hostname: osHostname(),
      ip: opts.clientIp,
      now: () => Date.now(),
    });
  }

  /** The command port actually bound, or -1 before start (Java's PORT_UNINITIALIZED). */
  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#serve(req, res));
    const base = this.#opts.port ?? DEFAULT_COMMAND_PORT;
    // Java tries each port three times before moving to the next; one try each will do here.
    for (let offset = 0; ; offset++) {
      try {
        this.#port = await listen(server, base === 0 ? 0 : base + offset, this.#opts.host);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EADDRINUSE' || base === 0 || offset >= 20) throw err;
      }
    }
    this.#server = server;
    if (this.#opts.dashboard) {
      void this.sendHeartbeat();
      this.#timer = setInterval(
        () => void this.sendHeartbeat(),
        this.#opts.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      );
      this.#timer.unref();
    }
  }

  /**
   * One heartbeat to the current dashboard address; moves to the next address on failure.
   * Beats never overlap (Java sends from one thread), so a failure moves the index once.
   */
  sendHeartbeat(): Promise<boolean> {
    this.#beating ??= this.#beat().finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async #beat(): Promise<boolean> {
    const addresses = (this.#opts.dashboard ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    if (addresses.length === 0 || this.#port <= 0) return false;
    const address = addresses[this.#dashboardIdx % addresses.length]!;
    const params = new URLSearchParams({
      app: this.#opts.appName,
      app_type: String(this.#opts.appType ?? 0),
      hostname: osHostname(),
      ip: this.#opts.clientIp,
      port: String(this.#port),
      v: SENTINEL_PROTOCOL_VERSION,
      version: String(Date.now()),
    });
    const url = `${address.startsWith('http') ? address : `http://${address}`}${HEARTBEAT_PATH}`;
    try {
      const res = await fetch(url, { method: 'POST', body: params, signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
      throw new Error(`dashboard ${address} answered the heartbeat with HTTP ${res.status}`);
    } catch (err) {
      this.#dashboardIdx++;
      this.#opts.onHeartbeatError?.(err);
      return false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const server = this.#server;
    this.#server = undefined;
    this.#port = -1;
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const write = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(body);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://command-center');
      const name = url.pathname.replace(/^\/+/, '');
      const params = url.searchParams;
      if (req.method === 'POST') {
        const type = req.headers['content-type'] ?? '';
        const body = await readBody(req);
        if (body !== '' && !type.startsWith('application/x-www-form-urlencoded')) {
          write(400, `Request not supported: unsupported Content-Type: ${type}`);
          return;
        }
        for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
      }
      if (name === '') {
        write(400, 'Invalid command');
        return;
      }
      const handler = this.#handlers.get(name);
      if (handler === undefined) {
        write(400, `Unknown command \`${name}\``);
        return;
      }
      const result = handler(params);
      write(result.ok ? 200 : 400, result.body);
    } catch (err) {
      write(500, err instanceof Error ? err.message : String(err));
    }
  }
}
