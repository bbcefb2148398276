/**
 * The three kinds of node Sentinel keeps, with Java's names and roles:
 * - ClusterNode: one per resource, across all contexts; also holds one StatisticNode per origin
 *   (the "origin node" a `limitApp` rule for a named caller is checked against).
 * - DefaultNode: one per resource per context name; every write is forwarded to its
 *   ClusterNode, so the cluster node sees the sum of all contexts.
 * - EntranceNode: one per context name, the root of that context's tree; its figures are the
 *   sums of its children.
 */
import { ResourceType } from '../constants.js';
import type { SentinelClock } from './clock.js';
import { StatisticNode } from './statistic-node.js';

export class ClusterNode extends StatisticNode {
  readonly name: string;
  readonly resourceType: number;
  readonly #originNodes = new Map<string, StatisticNode>();
  #lastOrigin = '';
  #lastOriginNode: StatisticNode | undefined;

  constructor(clock: SentinelClock, name: string, resourceType: number = ResourceType.COMMON) {
    super(clock);
    this.name = name;
    this.resourceType = resourceType;
  }

  /** The statistics of calls from `origin` (ClusterNode.getOrCreateOriginNode). */
  getOrCreateOriginNode(origin: string): StatisticNode {
    if (this.#lastOriginNode !== undefined && this.#lastOrigin === origin) return this.#lastOriginNode;
    let node = this.#originNodes.get(origin);
    if (node === undefined) {
      node = new StatisticNode(this.clock);
      this.#originNodes.set(origin, node);
    }
    this.#lastOrigin = origin;
    this.#lastOriginNode = node;
    return node;
  }

  originNodes(): ReadonlyMap<string, StatisticNode> {
    return this.#originNodes;
  }
}

export class DefaultNode extends StatisticNode {
  readonly resource: string;
  readonly clusterNode: ClusterNode;

  constructor(clock: SentinelClock, resource: string, clusterNode: ClusterNode) {
    super(clock);
    this.resource = resource;
    this.clusterNode = clusterNode;
  }

  override addPassRequestAt(now: number, count: number): void {
    super.addPassRequestAt(now, count);
    this.clusterNode.addPassRequestAt(now, count);
  }

  override addRtAndSuccessAt(now: number, rt: number, successCount: number): void {
    super.addRtAndSuccessAt(now, rt, successCount);
    this.clusterNode.addRtAndSuccessAt(now, rt, successCount);
  }

  override increaseBlockQpsAt(now: number, count: number): void {
    super.increaseBlockQpsAt(now, count);
    this.clusterNode.increaseBlockQpsAt(now, count);
  }

  override increaseExceptionQpsAt(now: number, count: number): void {
    super.increaseExceptionQpsAt(now, count);
    this.clusterNode.increaseExceptionQpsAt(now, count);
  }

  override increaseThreadNum(): void {
    super.increaseThreadNum();
    this.clusterNode.increaseThreadNum();
  }

  override decreaseThreadNum(): void {
    super.decreaseThreadNum();
    this.clusterNode.decreaseThreadNum();
  }
}

export class EntranceNode {
  readonly name: string;
  readonly #children = new Set<DefaultNode>();

  constructor(name: string) {
    this.name = name;
  }

  addChild(node: DefaultNode): void {
    this.#children.add(node);
  }

  children(): ReadonlySet<DefaultNode> {
    return this.#children;
  }

  passQps(): number {
    return this.#sum((n) => n.passQps());
  }

  blockQps(): number {
    return this.#sum((n) => n.blockQps());
  }

  successQps(): number {
    return this.#sum((n) => n.successQps());
  }

  curThreadNum(): number {
    return this.#sum((n) => n.curThreadNum());
  }

  /** Pass-QPS-weighted average rt of the children, as Java's EntranceNode.avgRt. */
  avgRt(): number {
    let total = 0;
    let weight = 0;
    for (const n of this.#children) {
      total += n.avgRt() * n.passQps();
      weight += n.passQps();
    }
    return total / (weight === 0 ? 1 : weight);
  }

  #sum(f: (n: DefaultNode) => number): number {
    let total = 0;
    for (const n of this.#children) total += f(n);
    return total;
  }
}
