/**
 * A consumer-side reference to a Dubbo service: a typed proxy whose methods send a request
 * to a provider chosen by the load balancer, under the cluster mode, with a per-call timeout.
 * The request context crosses in the attachments: `TX_XID`, the trace context (`traceparent`/
 * `tracestate`, and B3 when produced) and our application as `remote.application`, the names
 * the Java side reads.
 */
import { CONTEXT_KEYS, currentContext } from '../core/index.js';
import { observeRpcClient } from '../observability/rpc-observation.js';
import type { Sentinel } from '../sentinel/index.js';
import { invokeCluster, type ClusterCall, type ClusterName } from './cluster.js';
import { guardConsumer } from './sentinel-filter.js';
import { prepareRequest, type Attachments, type PreparedRequest, type RpcResult } from './codec.js';
import { ATTACHMENT, DEFAULT_RETRIES, DEFAULT_TIMEOUT, DUBBO_VERSION, statusName } from './constants.js';
import { BadArgumentError, DubboRemoteException, DubboRemoteStatusError, type CallSite } from './errors.js';
import type { ExchangeClient } from './exchange-client.js';
import {
  loadBalances,
  type LoadBalance,
  type LoadBalanceName,
  type ProviderAddress,
  type SelectContext,
} from './load-balance.js';
import type { ProviderDiscovery } from './provider-discovery.js';
import {
  resolveMethods,
  serviceKey,
  type DubboServiceDefinition,
  type ResolvedMethod,
} from './service-definition.js';

export interface ReferenceOptions {
  client: ExchangeClient;
  discovery: ProviderDiscovery;
  /** Our application name, sent as `remote.application`. */
  application?: string;
  timeout?: number;
  retries?: number;
  loadbalance?: LoadBalanceName;
  cluster?: ClusterName;
  /** Guard calls with Sentinel, as Java's Sentinel Dubbo consumer filter does. */
  sentinel?: Sentinel;
  onSwallowed?(e: unknown): void;
}

export interface CallOptions {
  timeout?: number;
  attachments?: Attachments;
}

export interface CallResult {
  value: unknown;
  /** Attachments the provider sent back. */
  attachments: Attachments;
}

export type ServiceProxy = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** The providers not known to be going away, or all when none is left (the list itself when all are). */
function usableOf(providers: ProviderAddress[], client: ExchangeClient): ProviderAddress[] {
  if (providers.every((p) => client.isAvailable(p.address))) return providers;
  const usable = providers.filter((p) => client.isAvailable(p.address));
  return usable.length > 0 ? usable : providers;
}

/**
 * One call as the cluster sees it. A class rather than an object literal of closures: the
 * call path makes one of these per call, and closures cost more (and more under tsx).
 */
class ReferenceCall implements ClusterCall<CallResult> {
  readonly loadBalance: LoadBalance;
  readonly retries: number;
  readonly select: SelectContext;
  readonly onSwallowed: (e: unknown) => void;

  constructor(
    private readonly ref: DubboReference,
    readonly providers: readonly ProviderAddress[],
    private readonly method: string,
    args: readonly unknown[],
    private readonly request: PreparedRequest,
    private readonly timeout: number,
  ) {
    this.loadBalance = ref.loadBalance;
    this.retries = ref.retries;
    this.select = { serviceKey: ref.serviceKey, method, args, active: ref.activeAt };
    this.onSwallowed = ref.swallowed;
  }

  attempt(p: ProviderAddress): Promise<CallResult> {
    return this.ref.attempt(p.address, this.method, this.request, this.timeout);
  }
}

export class DubboReference {
  readonly serviceKey: string;
  private readonly methods: Map<string, ResolvedMethod>;
  private readonly lb: LoadBalance;

  constructor(
    readonly def: DubboServiceDefinition,
    private readonly opts: ReferenceOptions,
  ) {
    this.serviceKey = serviceKey(def.interface, def.version, def.group);
    this.methods = resolveMethods(def);
    this.lb = loadBalances[opts.loadbalance ?? 'random']();
  }

  /** The service as an object with one async function per method. */
  proxy<T = ServiceProxy>(): T {
    const out: ServiceProxy = {};
    for (const name of this.methods.keys())
      out[name] = async (...args) => (await this.invoke(name, args)).value;
    return out as T;
  }

  async invoke(method: string, args: readonly unknown[], call: CallOptions = {}): Promise<CallResult> {
    const m = this.methods.get(method);
    if (!m) throw new BadArgumentError(`${this.def.interface} declares no method '${method}'`, { method });
    if (args.length !== m.parameterTypes.length)
      throw new BadArgumentError(
        `${this.def.interface}.${method} takes ${m.parameterTypes.length} arguments, got ${args.length}`,
        { method },
      );
    // One CLIENT span per call, around Sentinel and the cluster's retries, as Dubbo's
    // ObservationSenderFilter (a cluster filter) sees it.
    return observeRpcClient({ service: this.def.interface, method }, (traceAttachments) => {
      const sentinel = this.opts.sentinel;
      if (sentinel)
        return guardConsumer(sentinel, this.def, method, m.parameterTypes, args, () =>
          this.invokeUnguarded(m, method, args, call, traceAttachments),
        );
      return this.invokeUnguarded(m, method, args, call, traceAttachments);
    });
  }

  private async invokeUnguarded(
    m: ResolvedMethod,
    method: string,
    args: readonly unknown[],
    call: CallOptions,
    traceAttachments: Attachments,
  ): Promise<CallResult> {
    const timeout = call.timeout ?? this.opts.timeout ?? DEFAULT_TIMEOUT;
    const attachments = this.attachments(timeout, call.attachments, traceAttachments);
    // Encoded here, once: a bad argument fails before any provider is tried, and retries resend it.
    const request = prepareRequest(
      {
        dubboVersion: DUBBO_VERSION,
        path: this.def.interface,
        version: this.def.version ?? '',
        method,
        parameterTypesDesc: m.desc,
        args: args as unknown[],
        attachments,
      },
      m.parameterJavaTypes,
    );
    const providers = await this.opts.discovery.providers(this.def);
    const r = await invokeCluster(
      this.opts.cluster ?? 'failover',
      new ReferenceCall(this, usableOf(providers, this.opts.client), method, args, request, timeout),
    );
    return r ?? { value: null, attachments: {} };
  }

  private attachments(timeout: number, extra: Attachments | undefined, trace: Attachments): Attachments {
    const att: Attachments = {
      [ATTACHMENT.path]: this.def.interface,
      [ATTACHMENT.interface]: this.def.interface,
      [ATTACHMENT.version]: this.def.version ?? '',
      [ATTACHMENT.timeout]: String(timeout),
    };
    if (this.def.group) att[ATTACHMENT.group] = this.def.group;
    if (this.opts.application) att[ATTACHMENT.remoteApplication] = this.opts.application;
    const ctx = currentContext();
    if (ctx?.xid) att[CONTEXT_KEYS.xid] = ctx.xid;
    // The client span's context in the produced formats (an inbound traceparent when untraced).
    Object.assign(att, trace);
    return extra ? { ...att, ...extra } : att;
  }

  /** Calls in flight to `address`, for least-active load balancing (one function, not one per call). */
  readonly activeAt = (address: string): number => this.opts.client.active.get(address) ?? 0;

  /** Hands an error failsafe swallowed to the reference's listener. */
  readonly swallowed = (e: unknown): void => this.opts.onSwallowed?.(e);

  get retries(): number {
    return this.opts.retries ?? DEFAULT_RETRIES;
  }

  get loadBalance(): LoadBalance {
    return this.lb;
  }

  /** One attempt of `request` at `address`: the value, or the remote exception or status as an error. */
  async attempt(
    address: string,
    method: string,
    request: PreparedRequest,
    timeout: number,
  ): Promise<CallResult> {
    const r = await this.opts.client.request(address, request, timeout);
    return this.unwrap(r, { service: this.def.interface, method, address });
  }

  private unwrap(r: RpcResult, site: CallSite): CallResult {
    if (r.kind === 'value') return { value: r.value, attachments: r.attachments };
    if (r.kind === 'exception') throw new DubboRemoteException(site, r.exception);
    throw new DubboRemoteStatusError(site, r.status, statusName(r.status), r.message);
  }
}
