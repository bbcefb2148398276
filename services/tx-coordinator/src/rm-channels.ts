/**
 * The connected resource managers, by resourceId. Phase two goes to the client that
 * registered the branch when it is still connected, else to any client serving the same
 * resource (AT undo lives in the resource's database, so any of its instances can do it —
 * Seata's RM channel choice does the same).
 */
import type { RpcChannel } from '@silk/platform-sdk/tx';

export interface RmRegistration {
  channel: RpcChannel;
  clientId: string;
  applicationId: string;
  resourceIds: Set<string>;
}

export class RmChannels {
  private readonly byChannel = new Map<RpcChannel, RmRegistration>();

  register(channel: RpcChannel, applicationId: string, clientId: string, resourceIds: string[]): void {
    const existing = this.byChannel.get(channel);
    if (existing) {
      for (const r of resourceIds) existing.resourceIds.add(r);
      return;
    }
    this.byChannel.set(channel, { channel, clientId, applicationId, resourceIds: new Set(resourceIds) });
  }

  remove(channel: RpcChannel): void {
    this.byChannel.delete(channel);
  }

  pick(resourceId: string, clientId: string | null): RpcChannel | undefined {
    let fallback: RpcChannel | undefined;
    for (const reg of this.byChannel.values()) {
      if (reg.channel.closed || !reg.resourceIds.has(resourceId)) continue;
      if (reg.clientId === clientId) return reg.channel;
      fallback ??= reg.channel;
    }
    return fallback;
  }

  list(): { clientId: string; applicationId: string; peer: string; resourceIds: string[] }[] {
    return [...this.byChannel.values()].map((r) => ({
      clientId: r.clientId,
      applicationId: r.applicationId,
      peer: r.channel.peer,
      resourceIds: [...r.resourceIds],
    }));
  }
}
