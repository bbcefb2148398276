/**
 * The TC's client port: one RpcChannel per accepted TCP connection, requests dispatched to
 * the coordinator. A client's RegRM makes its connection the route for phase two of the
 * resources it serves; closing the connection removes that route.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { RpcChannel, TxBadRequestError, type RequestType, type Requests } from '@silk/platform-sdk/tx';
import type { Coordinator } from './coordinator.js';
import type { TcMetrics } from './metrics.js';
import type { RmChannels } from './rm-channels.js';

function req<T extends RequestType>(body: unknown): Requests[T]['body'] {
  if (typeof body !== 'object' || body === null) throw new TxBadRequestError('request body must be an object', body);
  return body;
}

function xidOf(body: unknown): string {
  const xid = (body as { xid?: unknown } | null)?.xid;
  if (typeof xid !== 'string' || xid === '') throw new TxBadRequestError('xid is required', body);
  return xid;
}

export class TcServer {
  private server: Server | undefined;
  private readonly channels = new Set<RpcChannel>();

  constructor(
    /** Looked up per request: the coordinator needs the bound port for its XIDs. */
    private readonly coordinator: () => Coordinator,
    private readonly rms: RmChannels,
    private readonly metrics: TcMetrics,
  ) {}

  listen(port: number, host: string): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.channels) c.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const channel: RpcChannel = new RpcChannel(socket, (type, body) => this.handle(channel, type, body), peer, () => {
      this.channels.delete(channel);
      this.rms.remove(channel);
      this.metrics.connectedClients.set(this.channels.size);
    });
    this.channels.add(channel);
    this.metrics.connectedClients.set(this.channels.size);
  }

  private async handle(channel: RpcChannel, type: RequestType, body: unknown): Promise<unknown> {
    const c = this.coordinator();
    switch (type) {
      case 'RegRM': {
        const b = req<'RegRM'>(body);
        if (!Array.isArray(b.resourceIds)) throw new TxBadRequestError('resourceIds must be an array', body);
        this.rms.register(channel, String(b.applicationId), String(b.clientId), b.resourceIds.map(String));
        return {};
      }
      case 'GlobalBegin':
        return c.begin(req<'GlobalBegin'>(body));
      case 'GlobalCommit':
        return c.commit(xidOf(body));
      case 'GlobalRollback':
        return c.rollback(xidOf(body));
      case 'GlobalStatus':
        return c.status(xidOf(body));
      case 'BranchRegister':
        xidOf(body);
        return c.registerBranch(req<'BranchRegister'>(body));
      case 'BranchReport':
        xidOf(body);
        return c.reportBranch(req<'BranchReport'>(body));
      case 'GlobalLockQuery':
        return c.lockQuery(req<'GlobalLockQuery'>(body));
      case 'Heartbeat':
        return {};
      case 'BranchCommit':
      case 'BranchRollback':
        throw new TxBadRequestError(`${type} is sent by the coordinator, not to it`, type);
    }
  }
}
