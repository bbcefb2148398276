/**
 * One request to a RocketMQ name server over its remoting protocol — GET_BROKER_CLUSTER_INFO,
 * what every client and `mqadmin clusterList` sends first — for the health check. Frame:
 *
 *   | total length: int32 BE | serialize type (1 byte, 0 = JSON) + header length (24 bits) |
 *   | header JSON | body |
 *
 * where total length counts everything after itself. The reply's header has `code` 0 on
 * success and a body of ClusterInfo: `{"brokerAddrTable":{..},"clusterAddrTable":{"<cluster>":[..]}}`
 * (fastjson, whose keys may be unquoted integers; only the table names are read here).
 */
import { connect } from 'node:net';

/** RequestCode.GET_BROKER_CLUSTER_INFO. */
export const GET_BROKER_CLUSTER_INFO = 106;
const JSON_SERIALIZE = 0;

export function encodeRequest(code: number, opaque: number): Buffer {
  const header = Buffer.from(
    JSON.stringify({ code, flag: 0, language: 'JAVA', opaque, serializeTypeCurrentRPC: 'JSON', version: 0 }),
  );
  const frame = Buffer.alloc(8 + header.length);
  frame.writeInt32BE(4 + header.length, 0);
  frame.writeUInt32BE(((JSON_SERIALIZE << 24) | header.length) >>> 0, 4);
  header.copy(frame, 8);
  return frame;
}

export interface RemotingReply {
  header: { code: number; opaque: number; remark?: string };
  body: Buffer;
}

/** Decodes one frame when `buf` holds it whole; undefined while more bytes are needed. */
export function decodeFrame(buf: Buffer): RemotingReply | undefined {
  if (buf.length < 4) return undefined;
  const total = buf.readInt32BE(0);
  if (total < 4 || total > 16 * 1024 * 1024) throw new Error(`bad remoting frame length ${total}`);
  if (buf.length < 4 + total) return undefined;
  const headerLength = buf.readUInt32BE(4) & 0xffffff;
  if (headerLength > total - 4) throw new Error(`bad remoting header length ${headerLength}`);
  const header = JSON.parse(buf.subarray(8, 8 + headerLength).toString('utf8')) as RemotingReply['header'];
  return { header, body: buf.subarray(8 + headerLength, 4 + total) };
}

export interface BrokerClusterInfo {
  brokers: string[];
  clusters: string[];
}

function tableKeys(body: string, table: string): string[] {
  const start = body.indexOf(`"${table}":{`);
  if (start < 0) return [];
  // Top-level keys of the table: "name":{ ... } or "name":[ ... ] at depth one.
  const keys: string[] = [];
  let depth = 0;
  for (let i = start + table.length + 4; i < body.length; i++) {
    const c = body[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if (c === '"' && depth === 0) {
      const end = body.indexOf('"', i + 1);
      keys.push(body.slice(i + 1, end));
      i = body.indexOf(':', end);
    }
  }
  return keys;
}

export function getBrokerClusterInfo(namesrv: string, timeoutMs: number): Promise<BrokerClusterInfo> {
  const [host, port] = namesrv.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: host ?? '127.0.0.1', port: Number(port ?? 9876) });
    let buf = Buffer.alloc(0);
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`name server ${namesrv} did not answer in ${timeoutMs} ms`)),
    );
    socket.on('error', fail);
    socket.on('connect', () => socket.write(encodeRequest(GET_BROKER_CLUSTER_INFO, 1)));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let reply: RemotingReply | undefined;
      try {
        reply = decodeFrame(buf);
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (!reply) return;
      socket.end();
      if (reply.header.code !== 0) {
        reject(
          new Error(
            `name server ${namesrv} answered code ${reply.header.code}: ${reply.header.remark ?? ''}`,
          ),
        );
        return;
      }
      const body = reply.body.toString('utf8');
      resolve({ brokers: tableKeys(body, 'brokerAddrTable'), clusters: tableKeys(body, 'clusterAddrTable') });
    });
  });
}
