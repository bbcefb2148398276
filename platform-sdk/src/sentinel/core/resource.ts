/**
 * A resource and its nodes (Java: ResourceWrapper plus what NodeSelectorSlot and
 * ClusterBuilderSlot cache per resource). Each resource gets a small dense `id`, so rule
 * managers can cache "rules of this resource" in an array instead of hashing the name on every
 * entry. Past MAX_SLOT_CHAIN_SIZE resources, new ones are not tracked and not checked, as Java
 * stops building slot chains there.
 */
import { MAX_SLOT_CHAIN_SIZE, ResourceType, TOTAL_IN_RESOURCE_NAME } from '../constants.js';
import type { SentinelClock } from './clock.js';
import type { Context } from './context.js';
import { ClusterNode, DefaultNode } from './nodes.js';

export class ResourceWrapper {
  readonly id: number;
  readonly name: string;
  readonly clusterNode: ClusterNode;
  readonly #clock: SentinelClock;
  readonly #nodesByContext = new Map<string, DefaultNode>();
  // One-entry cache: most resources are entered from one context.
  #lastContextName = '';
  #lastNode: DefaultNode | undefined;

  constructor(clock: SentinelClock, id: number, name: string, resourceType: number) {
    this.#clock = clock;
    this.id = id;
    this.name = name;
    this.clusterNode = new ClusterNode(clock, name, resourceType);
  }

  /** The DefaultNode of this resource in `context` (NodeSelectorSlot: one per context name). */
  nodeFor(context: Context): DefaultNode {
    if (this.#lastNode !== undefined && this.#lastContextName === context.name) return this.#lastNode;
    let node = this.#nodesByContext.get(context.name);
    if (node === undefined) {
      node = new DefaultNode(this.#clock, this.name, this.clusterNode);
      this.#nodesByContext.set(context.name, node);
      context.entranceNode.addChild(node);
    }
    this.#lastContextName = context.name;
    this.#lastNode = node;
    return node;
  }

  defaultNodes(): ReadonlyMap<string, DefaultNode> {
    return this.#nodesByContext;
  }
}

export class ResourceRegistry {
  readonly clock: SentinelClock;
  /** Constants.ENTRY_NODE: every inbound (EntryType IN) entry, what system rules read. */
  readonly entryNode: ClusterNode;
  readonly #resources = new Map<string, ResourceWrapper>();

  constructor(clock: SentinelClock) {
    this.clock = clock;
    this.entryNode = new ClusterNode(clock, TOTAL_IN_RESOURCE_NAME);
  }

  /** The resource named `name`, created on first use; undefined past MAX_SLOT_CHAIN_SIZE. */
  get(name: string, resourceType: number = ResourceType.COMMON): ResourceWrapper | undefined {
    let res = this.#resources.get(name);
    if (res === undefined) {
      if (this.#resources.size >= MAX_SLOT_CHAIN_SIZE) return undefined;
      res = new ResourceWrapper(this.clock, this.#resources.size, name, resourceType);
      this.#resources.set(name, res);
    }
    return res;
  }

  /** ClusterBuilderSlot.getClusterNode: the node a RELATE rule reads; undefined if never entered. */
  clusterNode(name: string): ClusterNode | undefined {
    return this.#resources.get(name)?.clusterNode;
  }

  resources(): IterableIterator<ResourceWrapper> {
    return this.#resources.values();
  }
}
