/**
 * Choosing one instance, as a Java caller using Spring Cloud LoadBalancer with Nacos would:
 * healthy, enabled instances with positive weight only; instances in the caller's own cluster
 * first when there are any (NacosLoadBalancer's cluster preference); then a strategy from a
 * registry keyed by the names Java users know.
 */
export interface ServiceInstance {
  instanceId: string;
  serviceName: string;
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  clusterName: string;
  metadata: Record<string, string>;
}

export interface LoadBalancer {
  choose(instances: readonly ServiceInstance[]): ServiceInstance | undefined;
}

/** Weighted random: an instance's chance is its weight over the total (Nacos' Balancer). */
export class WeightedRandomBalancer implements LoadBalancer {
  constructor(private readonly random: () => number = Math.random) {}

  choose(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    let total = 0;
    for (const i of instances) total += i.weight;
    let point = this.random() * total;
    for (const i of instances) {
      point -= i.weight;
      if (point < 0) return i;
    }
    return instances[instances.length - 1];
  }
}

/**
 * Round robin from a random starting position, as Spring Cloud LoadBalancer's
 * RoundRobinLoadBalancer does, so a fleet of fresh callers does not all hit the first instance.
 */
export class RoundRobinBalancer implements LoadBalancer {
  private position: number;

  constructor(random: () => number = Math.random) {
    this.position = Math.floor(random() * 1000);
  }

  choose(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    if (instances.length === 0) return undefined;
    this.position = (this.position + 1) & 0x7fffffff;
    return instances[this.position % instances.length];
  }
}

export const loadBalancers = {
  random: () => new WeightedRandomBalancer(),
  roundrobin: () => new RoundRobinBalancer(),
} satisfies Record<string, () => LoadBalancer>;

export type LoadBalancerName = keyof typeof loadBalancers;

/** Usable instances, narrowed to the caller's cluster when that cluster has any. */
export function candidates(
  instances: readonly ServiceInstance[],
  opts: { healthyOnly?: boolean; clusterName?: string } = {},
): ServiceInstance[] {
  const usable = instances.filter(
    (i) => i.enabled && i.weight > 0 && (i.healthy || opts.healthyOnly === false),
  );
  if (!opts.clusterName) return usable;
  const same = usable.filter((i) => i.clusterName === opts.clusterName);
  return same.length > 0 ? same : usable;
}
