/**
 * The address a service registers with, chosen as Spring Cloud Commons' InetUtils chooses it
 * for a Java service: the first interface (in system order) that is up, not ignored
 * (`spring.cloud.inetutils.ignored-interfaces`, regexes) and carries a non-loopback IPv4
 * address that is preferred (`preferred-networks`: regex or prefix; `use-only-site-local-
 * interfaces`). Falls back to loopback when nothing else qualifies, so a laptop with no
 * network still registers something reachable locally.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface InetOptions {
  ignoredInterfaces?: readonly string[];
  preferredNetworks?: readonly string[];
  useOnlySiteLocalInterfaces?: boolean;
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

function isSiteLocal(ip: string): boolean {
  return /^10\./.test(ip) || /^192\.168\./.test(ip) || /^172\.(1[6-9]|2\d|3[01])\./.test(ip);
}

function matchesAny(value: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    try {
      if (new RegExp(`^(?:${p})$`).test(value)) return true;
    } catch {
      /* not a regex: fall through to the prefix test */
    }
    return value.startsWith(p);
  });
}

function preferred(ip: string, opts: InetOptions): boolean {
  if (opts.useOnlySiteLocalInterfaces && !isSiteLocal(ip)) return false;
  const nets = opts.preferredNetworks ?? [];
  return nets.length === 0 || matchesAny(ip, nets);
}

export function findFirstNonLoopbackAddress(
  opts: InetOptions = {},
  interfaces: Interfaces = networkInterfaces(),
): string {
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (!addrs || matchesAny(name, opts.ignoredInterfaces ?? [])) continue;
    for (const a of addrs) {
      if (a.family === 'IPv4' && !a.internal && preferred(a.address, opts)) return a.address;
    }
  }
  return '127.0.0.1';
}
