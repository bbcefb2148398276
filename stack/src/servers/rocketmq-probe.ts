/**
 * Cheap protocol-level probes of a running RocketMQ, used as health checks by the stack:
 *
 * - the remoting protocol (what the name server and the broker speak on 9876 / 10911), one
 *   request per connection: is our broker registered with the name server, and which version
 *   does the broker report;
 * - one gRPC unary call to the proxy (what `rocketmq-client-nodejs` speaks on 8081), over
 *   node:http2 with a hand-encoded protobuf message, so no gRPC library is needed at runtime.
 *
 * Remoting frame (org.apache.rocketmq.remoting.protocol.RemotingCommand#encode):
 *
 *   int32 length            = 4 + header length + body length
 *   int32 serialize|hdrlen  = serialize type (0 = JSON) in the high byte, header length below
 *   header                  = JSON {code, language, version, opaque, flag, extFields}
 *   body
 */
import { randomUUID } from 'node:crypto';
import { connect as http2Connect, type IncomingHttpHeaders } from 'node:http2';
import { connect } from 'node:net';

/** RequestCode values from org.apache.rocketmq.remoting.protocol.RequestCode. */
export const GET_BROKER_RUNTIME_INFO = 28;
export const GET_BROKER_CLUSTER_INFO = 106;
/** ResponseCode.SUCCESS */
const SUCCESS = 0;
/** The `version` our requests announce: any 5.x server accepts an older client version. */
const CLIENT_VERSION = 0;

export interface RemotingResponse {
  code: number;
  remark?: string;
  /** The JSON text of the body (fastjson: map keys may be bare numbers, so it is not parsed). */
  body: string;
}

/** Sends one remoting request and resolves with the response to it. */
export function remotingRequest(
  port: number,
  code: number,
  host = '127.0.0.1',
  timeoutMs = 3000,
): Promise<RemotingResponse> {
  return new Promise((resolve, reject) => {
    const header = Buffer.from(
      JSON.stringify({ code, language: 'OTHER', version: CLIENT_VERSION, opaque: 1, flag: 0, extFields: {} }),
    );
    const frame = Buffer.alloc(8 + header.length);
    frame.writeInt32BE(4 + header.length, 0);
    frame.writeInt32BE(header.length, 4); // serialize type JSON = 0 in the high byte
    header.copy(frame, 8);

    const socket = connect({ port, host });
    let received = Buffer.alloc(0);
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`no remoting answer on ${host}:${port} within ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const length = received.readInt32BE(0);
      if (received.length < 4 + length) return;
      socket.destroy();
      const headerLength = received.readInt32BE(4) & 0xffffff;
      const head = JSON.parse(received.subarray(8, 8 + headerLength).toString('utf8')) as {
        code: number;
        remark?: string;
      };
      resolve({
        code: head.code,
        remark: head.remark,
        body: received.subarray(8 + headerLength, 4 + length).toString('utf8'),
      });
    });
    socket.once('close', () =>
      reject(new Error(`remoting connection to ${host}:${port} closed before an answer`)),
    );
  });
}

/** true when the name server lists `brokerAddr` (host:port) as a broker of `brokerName`. */
export async function brokerRegistered(
  namesrvPort: number,
  brokerName: string,
  brokerAddr: string,
): Promise<boolean> {
  const res = await remotingRequest(namesrvPort, GET_BROKER_CLUSTER_INFO);
  if (res.code !== SUCCESS) throw new Error(`name server answered code ${res.code}: ${res.remark ?? ''}`);
  return res.body.includes(`"brokerName":"${brokerName}"`) && res.body.includes(`"${brokerAddr}"`);
}

/** The version the broker reports of itself, e.g. `5.5.0` (from `brokerVersionDesc` V5_5_0). */
export async function brokerVersion(brokerPort: number): Promise<string> {
  const res = await remotingRequest(brokerPort, GET_BROKER_RUNTIME_INFO);
  if (res.code !== SUCCESS) throw new Error(`broker answered code ${res.code}: ${res.remark ?? ''}`);
  const desc = /"brokerVersionDesc":"V([0-9_]+)(?:_SNAPSHOT)?"/.exec(res.body)?.[1];
  if (desc === undefined) throw new Error('broker runtime info has no brokerVersionDesc');
  return desc.replaceAll('_', '.');
}

/** apache.rocketmq.v2.Code values used here (definition.proto). */
export const CODE_OK = 20000;
export const CODE_TOPIC_NOT_FOUND = 40402;

/**
 * Calls MessagingService/QueryRoute for `topic` on the proxy and resolves with the RocketMQ
 * status code of the answer (OK, TOPIC_NOT_FOUND, ...). Any such answer proves the proxy serves
 * gRPC and reached the name server; a transport failure rejects.
 */
export function proxyQueryRoute(
  port: number,
  topic: string,
  host = '127.0.0.1',
  timeoutMs = 5000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`http://${host}:${port}`);
    const finish = (err: Error | undefined, code?: number) => {
      clearTimeout(timer);
      session.close();
      session.destroy();
      if (err) reject(err);
      else resolve(code ?? 0);
    };
    const timer = setTimeout(
      () => finish(new Error(`no gRPC answer on ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    session.once('error', (err: Error) => finish(err));

    // QueryRouteRequest { topic: Resource { name = 2 } = 1; endpoints: Endpoints { scheme = 1 (IPv4);
    // addresses = 2 [{ host = 1, port = 2 }] } = 2 }: the endpoints are the ones the client dialled.
    const resource = field(2, Buffer.from(topic));
    const address = Buffer.concat([field(1, Buffer.from(host)), varintField(2, port)]);
    const endpoints = Buffer.concat([varintField(1, 1), field(2, address)]);
    const message = Buffer.concat([field(1, resource), field(2, endpoints)]);
    const prefix = Buffer.alloc(5); // gRPC length-prefixed message: uncompressed flag + length
    prefix.writeUInt32BE(message.length, 1);

    const req = session.request({
      ':method': 'POST',
      ':path': '/apache.rocketmq.v2.MessagingService/QueryRoute',
      'content-type': 'application/grpc',
      te: 'trailers',
      // The proxy rejects calls without a client id (CLIENT_ID_REQUIRED); the rest mirrors what
      // rocketmq-client-nodejs sends, so the probe shows up like any other client.
      'x-mq-protocol': 'v2',
      'x-mq-client-id': `silk-stack-probe@${process.pid}`,
      'x-mq-language': 'HTTP',
      'x-mq-request-id': randomUUID(),
    });
    let data = Buffer.alloc(0);
    req.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
    req.once('error', (err: Error) => finish(err));
    req.once('trailers', (trailers: IncomingHttpHeaders) => {
      const grpcStatus = trailers['grpc-status'];
      if (grpcStatus !== undefined && grpcStatus !== '0') {
        const msg = trailers['grpc-message'];
        finish(new Error(`proxy answered gRPC status ${String(grpcStatus)}${msg ? `: ${String(msg)}` : ''}`));
      }
    });
    req.once('end', () => {
      if (data.length < 5) return finish(new Error('proxy answered QueryRoute without a message'));
      // QueryRouteResponse.status (1) -> Status.code (1)
      const status = readField(data.subarray(5), 1);
      const code = status && readVarintField(status, 1);
      if (code === undefined) return finish(new Error('proxy answer to QueryRoute has no status'));
      finish(undefined, code);
    });
    req.end(Buffer.concat([prefix, message]));
  });
}

// Protobuf wire format, only as much as the two messages above need.

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function field(num: number, value: Buffer): Buffer {
  return Buffer.concat([varint((num << 3) | 2), varint(value.length), value]);
}

function varintField(num: number, value: number): Buffer {
  return Buffer.concat([varint(num << 3), varint(value)]);
}

function readVarint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  let i = at;
  for (;;) {
    const b = buf[i++];
    if (b === undefined) throw new Error('truncated protobuf varint');
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, i];
    scale *= 128;
  }
}

/** Walks the top-level fields of a message; calls `visit` until it returns a value. */
function scan<T>(
  buf: Buffer,
  visit: (num: number, wire: number, at: number, end: number) => T | undefined,
): T | undefined {
  let i = 0;
  while (i < buf.length) {
    const [key, afterKey] = readVarint(buf, i);
    const num = key >>> 3;
    const wire = key & 7;
    let end: number;
    if (wire === 0) end = readVarint(buf, afterKey)[1];
    else if (wire === 2) {
      const [len, afterLen] = readVarint(buf, afterKey);
      end = afterLen + len;
    } else if (wire === 1) end = afterKey + 8;
    else if (wire === 5) end = afterKey + 4;
    else throw new Error(`unexpected protobuf wire type ${wire}`);
    const found = visit(num, wire, afterKey, end);
    if (found !== undefined) return found;
    i = end;
  }
  return undefined;
}

function readField(buf: Buffer, num: number): Buffer | undefined {
  return scan(buf, (n, wire, at, end) => {
    if (n !== num || wire !== 2) return undefined;
    const [, start] = readVarint(buf, at);
    return buf.subarray(start, end);
  });
}

function readVarintField(buf: Buffer, num: number): number | undefined {
  return scan(buf, (n, wire, at) => (n === num && wire === 0 ? readVarint(buf, at)[0] : undefined));
}
