import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import { MAX_CONTEXT_NAME_SIZE } from './constants.js';
import { ManualClock } from './core/clock.js';
import type { Entry } from './core/entry.js';
import { FlowBlockedError } from './errors.js';
import { createSentinel, type EntryResult } from './index.js';

function admitted(r: EntryResult): Entry {
  if (r.blocked) throw new Error(`unexpectedly blocked by ${r.kind}`);
  return r;
}

describe('Sentinel.entry statistics', () => {
  it('counts pass, success, rt and concurrency on the cluster, origin and inbound nodes', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    const e = admitted(sentinel.entry('r', { origin: 'appA', entryType: 'IN' }));
    const cluster = sentinel.clusterNode('r')!;
    const origin = cluster.originNodes().get('appA')!;
    expect([cluster.passQps(), origin.passQps(), sentinel.entryNode.passQps()]).toEqual([1, 1, 1]);
    expect([cluster.curThreadNum(), origin.curThreadNum(), sentinel.entryNode.curThreadNum()]).toEqual([
      1, 1, 1,
    ]);
    clock.advance(40);
    e.exit();
    e.exit(); // ignored
    expect([cluster.successQps(), cluster.avgRt(), cluster.curThreadNum()]).toEqual([1, 40, 0]);
    expect([origin.successQps(), sentinel.entryNode.successQps()]).toEqual([1, 1]);
  });

  it('leaves the inbound node alone for OUT entries and keeps no origin node for an empty origin', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    admitted(sentinel.entry('r')).exit();
    expect(sentinel.entryNode.totalRequest()).toBe(0);
    expect(sentinel.clusterNode('r')!.originNodes().size).toBe(0);
  });

  it('counts a block on every node the entry touches, and no concurrency', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    sentinel.flowRules.loadRules([{ resource: 'r', count: 0 }]);
    expect(sentinel.entry('r', { origin: 'appA', entryType: 'IN' }).blocked).toBe(true);
    const cluster = sentinel.clusterNode('r')!;
    expect([
      cluster.blockQps(),
      cluster.originNodes().get('appA')!.blockQps(),
      sentinel.entryNode.blockQps(),
    ]).toEqual([1, 1, 1]);
    expect(cluster.curThreadNum()).toBe(0);
  });

  it('counts traced errors as exceptions, never block errors', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const e = admitted(sentinel.entry('r'));
    e.setError(
      new FlowBlockedError({
        blocked: true,
        kind: 'flow',
        resource: 'x',
        rule: { resource: 'x', limitApp: 'default', regex: false },
        limitApp: 'default',
      }),
    );
    e.exit();
    const f = admitted(sentinel.entry('r'));
    f.setError(new Error('db down'));
    f.exit();
    expect(sentinel.clusterNode('r')!.exceptionQps()).toBe(1);
  });

  it('reports per-resource snapshots and completed seconds for the dashboard', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.flowRules.loadRules([{ resource: 'r', count: 1 }]);
    const e = admitted(sentinel.entry('r'));
    sentinel.entry('r');
    clock.advance(20);
    e.exit();
    expect(sentinel.metrics()).toEqual([
      expect.objectContaining({
        resource: 'r',
        passQps: 1,
        blockQps: 1,
        successQps: 1,
        avgRt: 20,
        concurrency: 0,
      }),
    ]);
    clock.advance(1000);
    expect(sentinel.secondMetrics(0, clock.now() - (clock.now() % 1000))).toEqual([
      expect.objectContaining({ resource: 'r', timestamp: 1_000_000, passQps: 1, blockQps: 1, rt: 20 }),
    ]);
  });
});

describe('the default slot chain', () => {
  it('checks in Java order: authority, system, hot parameters, flow, breakers', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const block = { resource: 'r', count: 0 };
    sentinel.degradeRules.loadRules([{ ...block, grade: 2, minRequestAmount: 1, timeWindow: 1 }]);
    sentinel.flowRules.loadRules([block]);
    sentinel.paramFlowRules.loadRules([{ ...block, paramIdx: 0 }]);
    sentinel.systemRules.loadRules([{ qps: 0 }]);
    sentinel.authorityRules.loadRules([{ resource: 'r', limitApp: 'appA', strategy: 1 }]);
    const kinds: string[] = [];
    const next = (): void => {
      const r = sentinel.entry('r', { origin: 'appA', entryType: 'IN', args: ['x'] });
      kinds.push(r.blocked ? r.kind : 'pass');
    };
    next();
    sentinel.authorityRules.loadRules([]);
    next();
    sentinel.systemRules.loadRules([]);
    next();
    sentinel.paramFlowRules.loadRules([]);
    next();
    expect(kinds).toEqual(['authority', 'system', 'param-flow', 'flow']);
  });

  it('lets a breaker probe through only when every other rule has admitted the entry', () => {
    const clock = new ManualClock(0);
    const sentinel = createSentinel({ clock });
    sentinel.degradeRules.loadRules([
      { resource: 'r', grade: 2, count: 0, minRequestAmount: 1, timeWindow: 1 },
    ]);
    const e = admitted(sentinel.entry('r'));
    e.setError(new Error('x'));
    e.exit();
    clock.advance(1000);
    sentinel.flowRules.loadRules([{ resource: 'r', count: 0 }]);
    expect(sentinel.entry('r').blocked && 'flow').toBe('flow');
    expect(sentinel.degradeRules.circuitBreakers('r')[0]!.state).toBe('OPEN'); // no probe spent
  });
});

describe('Sentinel rule changes at runtime', () => {
  it('apply rules loaded while entries are in flight, and drop removed ones', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const e = admitted(sentinel.entry('r'));
    sentinel.degradeRules.loadRules([
      { resource: 'r', grade: 2, count: 0, minRequestAmount: 1, timeWindow: 1 },
    ]);
    e.setError(new Error('x'));
    e.exit(); // completes through the breaker that was loaded meanwhile
    expect(sentinel.entry('r').blocked).toBe(true);
    sentinel.degradeRules.loadRules([]);
    expect(sentinel.entry('r').blocked).toBe(false);
  });

  it('forget hot-parameter concurrency when the THREAD rule goes, so re-adding it starts from zero', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const rule = [{ resource: 'r', paramIdx: 0, grade: 0, count: 1 }];
    sentinel.paramFlowRules.loadRules(rule);
    const held = admitted(sentinel.entry('r', { args: ['a'] }));
    sentinel.paramFlowRules.loadRules([]);
    held.exit(); // the hot-parameter slot is idle now and does not see this exit
    sentinel.paramFlowRules.loadRules(rule);
    expect(sentinel.entry('r', { args: ['a'] }).blocked).toBe(false);
  });
});

describe('Sentinel contexts', () => {
  it('carry name and origin across awaits inside runInContext; an explicit origin wins', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    sentinel.flowRules.loadRules([{ resource: 'r', limitApp: 'appA', count: 0 }]);
    const blocked = await sentinel.runInContext('web', 'appA', async () => {
      await Promise.resolve();
      return sentinel.entry('r').blocked;
    });
    expect(blocked).toBe(true);
    expect(sentinel.runInContext('web', 'appA', () => sentinel.entry('r', { origin: 'appB' }).blocked)).toBe(
      false,
    );
    expect(sentinel.entry('r').blocked).toBe(false);
  });

  it('keep the context entered first when entered again, as ContextUtil.enter does', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    sentinel.flowRules.loadRules([{ resource: 'r', strategy: 2, refResource: 'outer', count: 0 }]);
    const blocked = sentinel.runInContext('outer', 'appA', () =>
      sentinel.runInContext('inner', 'appB', () => sentinel.entry('r').blocked),
    );
    expect(blocked).toBe(true);
    expect(sentinel.runInContext('inner', 'appB', () => sentinel.entry('r').blocked)).toBe(false);
  });

  it('keep one DefaultNode per resource per context name under its entrance node', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    sentinel.runInContext('web', 'appA', () => admitted(sentinel.entry('r')).exit());
    sentinel.runInContext('web', 'appB', () => admitted(sentinel.entry('r')).exit());
    sentinel.runInContext('mq', '', () => admitted(sentinel.entry('r')).exit());
    const web = sentinel.entranceNodes().find((n) => n.name === 'web')!;
    expect([...web.children()].map((n) => [n.resource, n.passQps()])).toEqual([['r', 2]]);
    expect(web.passQps()).toBe(2);
    expect(sentinel.clusterNode('r')!.passQps()).toBe(3);
  });

  it('stop checking past MAX_CONTEXT_NAME_SIZE context names, as Java', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    sentinel.flowRules.loadRules([{ resource: 'r', count: 0 }]);
    for (let i = 0; i < MAX_CONTEXT_NAME_SIZE; i++) sentinel.context(`ctx-${i}`);
    expect(sentinel.entry('r', { context: sentinel.context('ctx-0') }).blocked).toBe(true);
    expect(sentinel.entry('r', { context: sentinel.context('one-too-many') }).blocked).toBe(false);
  });
});

describe('Sentinel.wrap', () => {
  it('runs the function, traces its error, always exits', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const ok = sentinel.wrap('r', async (a: number, b: number) => {
      await Promise.resolve();
      return a + b;
    });
    await expect(ok(1, 2)).resolves.toBe(3);
    const failing = sentinel.wrap('r', () => {
      throw new Error('boom');
    });
    await expect(failing()).rejects.toThrow('boom');
    const node = sentinel.clusterNode('r')!;
    expect([node.passQps(), node.successQps(), node.exceptionQps(), node.curThreadNum()]).toEqual([
      2, 2, 1, 0,
    ]);
  });

  it('passes the call arguments to hot-parameter rules, or what `args` picks', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    sentinel.paramFlowRules.loadRules([{ resource: 'r', paramIdx: 0, count: 1 }]);
    const byUser = sentinel.wrap('r', (user: string) => user);
    await byUser('u1');
    const err = await byUser('u1').catch((e: unknown) => e);
    expect(isSilkError(err) && err.code).toBe('SILK_SENTINEL_PARAM_FLOW_BLOCKED');
    await expect(byUser('u2')).resolves.toBe('u2');
    const byId = sentinel.wrap('r', (req: { id: string }) => req.id, { args: (req) => [req.id] });
    await expect(byId({ id: 'u3' })).resolves.toBe('u3');
    await expect(byId({ id: 'u3' })).rejects.toMatchObject({ code: 'SILK_SENTINEL_PARAM_FLOW_BLOCKED' });
  });
});
