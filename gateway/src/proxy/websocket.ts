/**
 * WebSocket pass-through: the client's HTTP upgrade is replayed to the upstream on a fresh
 * TCP (or TLS) connection with the path and headers the route's filters produced, and from
 * then on the two sockets are piped both ways; the upstream's `101 Switching Protocols` and
 * every frame after it pass through unread. Either side closing closes the other.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Exchange, GatewayRequest } from '../exchange.js';

export function failUpgrade(socket: Duplex, status: number, reason: string, body: string): void {
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}

function requestHead(ex: Exchange, req: GatewayRequest, hostHeader: string): string {
  const lines = [`${ex.method} ${ex.pathAndQuery} HTTP/1.1`, `host: ${hostHeader}`, 'connection: Upgrade'];
  lines.push(`upgrade: ${String(req.headers.upgrade ?? 'websocket')}`);
  for (const [k, v] of Object.entries(ex.headers)) {
    for (const value of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function pipeUpgrade(
  ex: Exchange,
  client: Duplex,
  head: Buffer,
  origin: string,
  connectTimeoutMs: number,
): Promise<void> {
  const url = new URL(origin);
  const port = Number(url.port);
  return new Promise((resolve) => {
    const onConnect = (): void => {
      upstream.setTimeout(0);
      upstream.write(requestHead(ex, ex.req, `${url.hostname}:${port}`));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    };
    const upstream: Socket =
      url.protocol === 'https:'
        ? tlsConnect({ host: url.hostname, port, servername: url.hostname }, onConnect)
        : netConnect({ host: url.hostname, port }, onConnect);
    upstream.setTimeout(connectTimeoutMs, () => upstream.destroy(new Error(`connect timeout ${connectTimeoutMs} ms`)));
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      resolve();
    };
    upstream.on('error', (err) => {
      if (upstream.bytesRead === 0 && !client.destroyed)
        failUpgrade(client, 502, 'Bad Gateway', JSON.stringify({ code: 'SILK_GATEWAY_UPSTREAM_CONNECT', message: `route '${ex.routeId}': WebSocket upstream ${origin} failed: ${err.message}` }));
      else client.destroy();
      done();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => (client.destroy(), done()));
    client.on('close', () => (upstream.destroy(), done()));
  });
}
