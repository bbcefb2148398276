/**
 * The commands the Sentinel dashboard sends to a client's command port, answered from a Silk
 * engine with the bodies Java's sentinel-transport-common handlers give: rule JSON in the Java
 * beans' field names, `NodeVo` objects for the resource tables, and the thin `metric` lines
 * (`timestamp|resource|pass|block|success|exception|rt|occupiedPass|concurrency|classification`)
 * the dashboard's MetricFetcher parses.
 *
 * A handler returns `{ ok, body }`; the command center turns a failure into 400 with the
 * message, as Java's HttpEventTask does.
 */
import { randomUUID } from 'node:crypto';
import type { Sentinel, StatisticNode } from '../sentinel/index.js';

/** Sentinel's Constants.SENTINEL_VERSION of the Java release whose protocol this speaks. */
export const SENTINEL_PROTOCOL_VERSION = '1.8.9';
export const ROOT_ID = 'machine-root';

export interface CommandResult {
  ok: boolean;
  body: string;
}

export type CommandHandler = (params: URLSearchParams) => CommandResult;

export interface CommandContext {
  sentinel: Sentinel;
  hostname: string;
  ip: string;
  now: () => number;
}

const ok = (body: string): CommandResult => ({ ok: true, body });
const fail = (body: string): CommandResult => ({ ok: false, body });

/**
 * Java: NodeVo.fromClusterNode / fromDefaultNode, the rows of the dashboard's tables. fastjson
 * leaves out null fields, so a cluster node has no id or parentId and the root no parentId.
 */
function nodeVo(resource: string, node: StatisticNode, id?: string, parentId?: string, now = Date.now()) {
  const total = node.totalRequest();
  const block = node.blockRequest();
  return {
    ...(id !== undefined ? { id } : {}),
    ...(parentId !== undefined ? { parentId } : {}),
    resource,
    threadNum: node.curThreadNum(),
    passQps: Math.trunc(node.passQps()),
    blockQps: Math.trunc(node.blockQps()),
    totalQps: Math.trunc(node.totalQps()),
    averageRt: Math.trunc(node.avgRt()),
    successQps: Math.trunc(node.successQps()),
    exceptionQps: Math.trunc(node.exceptionQps()),
    oneMinutePass: total - block,
    oneMinuteBlock: block,
    oneMinuteException: node.totalException(),
    oneMinuteTotal: total,
    timestamp: now,
  };
}

function rulesOf(sentinel: Sentinel, type: string | null): unknown[] | undefined {
  switch (type?.toLowerCase() ?? '') {
    case 'flow':
      return sentinel.flowRules.getRules();
    case 'degrade':
      return sentinel.degradeRules.getRules();
    case 'authority':
      return sentinel.authorityRules.getRules();
    case 'system':
      return sentinel.systemRules.getRules();
    default:
      return undefined;
  }
}

function loadRules(sentinel: Sentinel, type: string | null, data: string): CommandResult {
  const load = {
    flow: () => sentinel.flowRules.loadRules(data),
    degrade: () => sentinel.degradeRules.loadRules(data),
    authority: () => sentinel.authorityRules.loadRules(data),
    system: () => sentinel.systemRules.loadRules(data),
  }[type?.toLowerCase() ?? ''];
  if (load === undefined) return fail('invalid type');
  const result = load();
  if (!result.applied) return fail(`invalid rules: ${result.rejected.map((r) => r.reason).join('; ')}`);
  // Java answers "success" even when some rules were dropped by validation; we name them.
  return result.rejected.length === 0
    ? ok('success')
    : ok(`success (${result.rejected.length} rejected: ${result.rejected.map((r) => r.reason).join('; ')})`);
}

function metricLines(ctx: CommandContext, params: URLSearchParams): CommandResult {
  const start = params.get('startTime');
  if (start === null || start.trim() === '') return ok('');
  const startTime = Number(start);
  const end = params.get('endTime');
  if (!Number.isFinite(startTime) || (end !== null && end !== '' && !Number.isFinite(Number(end))))
    return fail('startTime and endTime must be milliseconds since the epoch');
  const maxLines = Math.min(Number(params.get('maxLines') ?? 6000) || 6000, 12000);
  const identity = params.get('identity');
  // Java's range is inclusive of endTime; the engine's is half-open.
  const endTime = end === null || end === '' ? ctx.now() : Number(end) + 1;
  let nodes = ctx.sentinel.secondMetrics(startTime, endTime);
  if (identity) nodes = nodes.filter((n) => n.resource === identity);
  if (end === null || end === '') nodes = nodes.slice(0, maxLines);
  const lines = nodes.map(
    (n) =>
      `${n.timestamp}|${n.resource.replaceAll('|', '_')}|${n.passQps}|${n.blockQps}|${n.successQps}|` +
      `${n.exceptionQps}|${n.rt}|${n.occupiedPassQps}|${n.concurrency}|${n.classification}\n`,
  );
  return ok(lines.join(''));
}

function jsonTree(ctx: CommandContext): CommandResult {
  const now = ctx.now();
  const out: ReturnType<typeof nodeVo>[] = [];
  const id = (): string => randomUUID();
  // Java's machine-root has no statistics of its own beyond the inbound total.
  const rootId = id();
  out.push(nodeVo(ROOT_ID, ctx.sentinel.entryNode, rootId, undefined, now));
  for (const entrance of ctx.sentinel.entranceNodes()) {
    const entranceId = id();
    out.push({
      id: entranceId,
      parentId: rootId,
      resource: entrance.name,
      threadNum: entrance.curThreadNum(),
      passQps: Math.trunc(entrance.passQps()),
      blockQps: Math.trunc(entrance.blockQps()),
      totalQps: Math.trunc(entrance.passQps() + entrance.blockQps()),
      averageRt: Math.trunc(entrance.avgRt()),
      successQps: Math.trunc(entrance.successQps()),
      exceptionQps: 0,
      oneMinutePass: 0,
      oneMinuteBlock: 0,
      oneMinuteException: 0,
      oneMinuteTotal: 0,
      timestamp: now,
    });
    for (const child of entrance.children()) out.push(nodeVo(child.resource, child, id(), entranceId, now));
  }
  return ok(JSON.stringify(out));
}

/** `@CommandMapping` name → description, as `api` lists them. */
export const COMMAND_DESCRIPTIONS: Readonly<Record<string, string>> = {
  version: 'get sentinel version',
  basicInfo: 'get sentinel config info',
  api: 'get all available command handlers',
  getRules: 'get all active rules by type, request param: type={ruleType}',
  setRules: 'modify the rules, accept param: type={ruleType}&data={ruleJson}',
  getParamFlowRules: 'Get all parameter flow rules',
  setParamFlowRules: 'Set parameter flow rules, while previous rules will be replaced.',
  metric:
    'get and aggregate metrics, accept param: startTime={startTime}&endTime={endTime}&maxLines={maxLines}&identify={resourceName}',
  clusterNode: 'get all clusterNode VO, use type=notZero to ignore those nodes with totalRequest <=0',
  jsonTree: 'get tree node VO start from root node',
  getClusterMode: 'get cluster mode status',
};

export function commandHandlers(ctx: CommandContext): Map<string, CommandHandler> {
  const { sentinel } = ctx;
  const handlers = new Map<string, CommandHandler>([
    ['version', () => ok(SENTINEL_PROTOCOL_VERSION)],
    ['basicInfo', () => ok(JSON.stringify({ machine: ctx.hostname, ip: ctx.ip }, null, '\t'))],
    [
      'api',
      () =>
        ok(JSON.stringify(Object.entries(COMMAND_DESCRIPTIONS).map(([n, desc]) => ({ url: `/${n}`, desc })))),
    ],
    [
      'getRules',
      (p) => {
        const rules = rulesOf(sentinel, p.get('type'));
        return rules === undefined ? fail('invalid type') : ok(JSON.stringify(rules));
      },
    ],
    ['setRules', (p) => loadRules(sentinel, p.get('type'), p.get('data') ?? '[]')],
    ['getParamFlowRules', () => ok(JSON.stringify(sentinel.paramFlowRules.getRules()))],
    [
      'setParamFlowRules',
      (p) => {
        const r = sentinel.paramFlowRules.loadRules(p.get('data') ?? '[]');
        return r.applied
          ? ok('success')
          : fail(`invalid rules: ${r.rejected.map((x) => x.reason).join('; ')}`);
      },
    ],
    ['metric', (p) => metricLines(ctx, p)],
    [
      'clusterNode',
      (p) => {
        const notZero = p.get('type')?.toLowerCase() === 'notzero';
        const now = ctx.now();
        const list = [...sentinel.resources()]
          .filter((r) => !notZero || r.clusterNode.totalRequest() > 0)
          .map((r) => nodeVo(r.name, r.clusterNode, undefined, undefined, now));
        return ok(JSON.stringify(list));
      },
    ],
    ['jsonTree', () => jsonTree(ctx)],
    // Cluster flow control is not offered: say so the way a client without a token server does.
    [
      'getClusterMode',
      () =>
        ok(JSON.stringify({ mode: -1, lastModified: -1, clientAvailable: false, serverAvailable: false })),
    ],
  ]);
  return handlers;
}
