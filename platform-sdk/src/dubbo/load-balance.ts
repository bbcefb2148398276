/**
 * Dubbo's load balancers, by the names Java users configure (`loadbalance=`): random
 * (weighted), roundrobin (smooth weighted, per method), leastactive (fewest calls in
 * flight, ties broken by weight) and consistenthash (ketama ring of 160 virtual nodes per
 * provider, keyed by the first argument, as Dubbo's `hash.arguments=0`, `hash.nodes=160`).
 */
import { createHash } from 'node:crypto';

export interface ProviderAddress {
  /** host:port */
  address: string;
  weight: number;
  metadata: Readonly<Record<string, string>>;
}

export interface SelectContext {
  serviceKey: string;
  method: string;
  args: readonly unknown[];
  /** Calls in flight to an address from this consumer. */
  active(address: string): number;
}

export interface LoadBalance {
  select(providers: readonly ProviderAddress[], ctx: SelectContext): ProviderAddress;
}

export type LoadBalanceName = 'random' | 'roundrobin' | 'leastactive' | 'consistenthash';

function weightedRandom(ps: readonly ProviderAddress[], random: () => number): ProviderAddress {
  const total = ps.reduce((s, p) => s + p.weight, 0);
  if (total <= 0 || ps.every((p) => p.weight === ps[0]!.weight)) return ps[Math.floor(random() * ps.length)]!;
  let r = random() * total;
  for (const p of ps) if ((r -= p.weight) < 0) return p;
  return ps[ps.length - 1]!;
}

export class RandomLoadBalance implements LoadBalance {
  constructor(private readonly random: () => number = Math.random) {}
  select(ps: readonly ProviderAddress[]): ProviderAddress {
    return weightedRandom(ps, this.random);
  }
}

export class RoundRobinLoadBalance implements LoadBalance {
  private readonly current = new Map<string, Map<string, number>>();
  select(ps: readonly ProviderAddress[], ctx: SelectContext): ProviderAddress {
    const key = `${ctx.serviceKey}.${ctx.method}`;
    let weights = this.current.get(key);
    if (!weights) {
      weights = new Map<string, number>();
      this.current.set(key, weights);
    }
    let total = 0;
    let best: ProviderAddress | undefined;
    let bestCurrent = -Infinity;
    for (const p of ps) {
      const c = (weights.get(p.address) ?? 0) + p.weight;
      weights.set(p.address, c);
      total += p.weight;
      if (c > bestCurrent) {
        best = p;
        bestCurrent = c;
      }
    }
    weights.set(best!.address, bestCurrent - total);
    return best!;
  }
}

export class LeastActiveLoadBalance implements LoadBalance {
  constructor(private readonly random: () => number = Math.random) {}
  select(ps: readonly ProviderAddress[], ctx: SelectContext): ProviderAddress {
    let least = Infinity;
    let ties: ProviderAddress[] = [];
    for (const p of ps) {
      const a = ctx.active(p.address);
      if (a < least) {
        least = a;
        ties = [p];
      } else if (a === least) ties.push(p);
    }
    return ties.length === 1 ? ties[0]! : weightedRandom(ties, this.random);
  }
}

export class ConsistentHashLoadBalance implements LoadBalance {
  private readonly rings = new Map<string, { id: string; ring: [number, ProviderAddress][] }>();
  constructor(private readonly replicas = 160) {}

  select(ps: readonly ProviderAddress[], ctx: SelectContext): ProviderAddress {
    const key = `${ctx.serviceKey}.${ctx.method}`;
    const id = ps.map((p) => p.address).join(',');
    let r = this.rings.get(key);
    if (r?.id !== id) this.rings.set(key, (r = { id, ring: this.build(ps) }));
    const h = ketama(md5(String(ctx.args[0])), 0);
    const ring = r.ring;
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ring[mid]![0] < h) lo = mid + 1;
      else hi = mid;
    }
    return (ring[lo] ?? ring[0]!)[1];
  }

  private build(ps: readonly ProviderAddress[]): [number, ProviderAddress][] {
    const ring: [number, ProviderAddress][] = [];
    for (const p of ps)
      for (let i = 0; i < this.replicas / 4; i++) {
        const d = md5(`${p.address}${i}`);
        for (let k = 0; k < 4; k++) ring.push([ketama(d, k), p]);
      }
    return ring.sort((a, b) => a[0] - b[0]);
  }
}

function md5(s: string): Buffer {
  return createHash('md5').update(s).digest();
}

/** Four little-endian 32-bit points per digest, as ketama (and Dubbo) take them. */
function ketama(d: Buffer, k: number): number {
  return d.readUInt32LE(k * 4);
}

export const loadBalances: Record<LoadBalanceName, () => LoadBalance> = {
  random: () => new RandomLoadBalance(),
  roundrobin: () => new RoundRobinLoadBalance(),
  leastactive: () => new LeastActiveLoadBalance(),
  consistenthash: () => new ConsistentHashLoadBalance(),
};
