/**
 * The port through which a Dubbo consumer learns its providers. `nacos-discovery.ts`
 * implements it over Nacos; `staticProviders` over fixed addresses (Dubbo's `url=` direct
 * connection).
 */
import type { ProviderAddress } from './load-balance.js';

export interface ServiceCoordinates {
  interface: string;
  version?: string;
  group?: string;
}

export interface ProviderDiscovery {
  /** Providers usable now; answered from a cache on the call path. */
  providers(service: ServiceCoordinates): Promise<ProviderAddress[]>;
}

export function staticProviders(addresses: readonly string[]): ProviderDiscovery {
  const list = addresses.map((address) => ({ address, weight: 100, metadata: {} }));
  return { providers: () => Promise.resolve(list) };
}
