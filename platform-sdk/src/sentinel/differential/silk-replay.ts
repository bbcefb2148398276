/**
 * Replays a differential scenario through Silk's engine on a ManualClock and writes the same
 * lines the Java fixture writes (see interop/java/sentinel-diff): `R <kind> <loaded>` per rule
 * kind, then per event `<i> P <waitMs>`, `<i> B <kind> <limitApp | hot value | system limit type>`, `<i> X`,
 * `<i> -`, `<i> L` (a rule push) or `<i> M <start:pass/block/success/exception/rt ...>`, with `<i> S <resource>/<grade> <from> <to>` for breaker transitions, and `END <n>`.
 * A queued request does not wait here: the clock moves only to the next event's time, as the
 * Java side skips its sleep.
 */
import { ManualClock, StaticSystemStatus, createSentinel, type Entry, type Sentinel } from '../index.js';
import type { Scenario, ScenarioRules } from './scenario.js';

export function replayOnSilk(s: Scenario): string[] {
  const clock = new ManualClock(s.startMs);
  const sentinel = createSentinel({
    clock,
    systemStatus: new StaticSystemStatus(),
    coldFactor: s.coldFactor,
  });
  const out: string[] = [];
  let current = -1;
  sentinel.degradeRules.onStateChange((prev, next, rule) => {
    out.push(`${current} S ${rule.resource}/${rule.grade} ${prev} ${next}`);
  });
  const load = (rules: ScenarioRules): void => {
    if (rules.flow) sentinel.flowRules.loadRules(rules.flow);
    if (rules.degrade) sentinel.degradeRules.loadRules(rules.degrade);
    if (rules.paramFlow) sentinel.paramFlowRules.loadRules(rules.paramFlow);
    if (rules.authority) sentinel.authorityRules.loadRules(rules.authority);
    if (rules.system) sentinel.systemRules.loadRules(rules.system);
  };
  out.push(`R flow ${sentinel.flowRules.loadRules(s.rules.flow ?? []).rules.length}`);
  out.push(`R degrade ${sentinel.degradeRules.loadRules(s.rules.degrade ?? []).rules.length}`);
  out.push(`R paramFlow ${sentinel.paramFlowRules.loadRules(s.rules.paramFlow ?? []).rules.length}`);
  out.push(`R authority ${sentinel.authorityRules.loadRules(s.rules.authority ?? []).rules.length}`);
  sentinel.systemRules.loadRules(s.rules.system ?? []);

  const open = new Map<number, Entry>();
  s.events.forEach((ev, i) => {
    current = i;
    if (ev.t < clock.now()) throw new Error(`event ${i} goes back in time: ${ev.t}`);
    clock.set(ev.t);
    if (ev.op === 'metrics') {
      out.push(`${i} M ${metricsOf(sentinel, ev.resource)}`);
      return;
    }
    if (ev.op === 'load') {
      load(ev.rules);
      out.push(`${i} L`);
      return;
    }
    if (ev.op === 'entry') {
      const context = ev.context === undefined ? undefined : sentinel.context(ev.context, ev.origin ?? '');
      const r = sentinel.entry(ev.resource, {
        context,
        args: ev.args,
        batchCount: ev.count ?? 1,
        entryType: ev.type ?? 'OUT',
      });
      if (r.blocked) {
        const what = r.kind === 'param-flow' || r.kind === 'system' ? String(r.detail) : r.limitApp;
        out.push(`${i} B ${r.kind} ${what}`);
      } else {
        open.set(ev.id, r);
        out.push(`${i} P ${r.waitMs}`);
      }
      return;
    }
    const e = open.get(ev.id);
    if (e === undefined) {
      out.push(`${i} -`);
      return;
    }
    open.delete(ev.id);
    if (ev.error === true) e.setError(new Error('scenario error'));
    e.exit();
    out.push(`${i} X`);
  });
  out.push(`END ${s.events.length}`);
  sentinel.close();
  return out;
}

/** The resource's completed seconds of the last minute, formatted as the Java side does. */
function metricsOf(sentinel: Sentinel, resource: string): string {
  const node = sentinel.clusterNode(resource);
  if (node === undefined) return 'none';
  const now = sentinel.clock.now();
  const to = now - (now % 1000);
  return node
    .secondMetrics(to - 60_000, to)
    .map((m) => `${m.timestamp}:${m.passQps}/${m.blockQps}/${m.successQps}/${m.exceptionQps}/${m.rt}`)
    .join(' ');
}
