/**
 * Rule pushes while traffic runs, where Java and Silk agree: breakers kept across a push of an
 * equal rule (Java's getExistingSameCbOrNew ignores `id` and treats a blank limitApp as
 * `default`) and replaced by an edited one; hot-parameter rules edited, removed and re-added
 * with requests in flight; a flow list pushed again unchanged (Java's property skips an equal
 * value, so nothing resets). An edit of one flow rule is a known difference (known-differences.ts).
 */
import { scenario, type Scenario } from './scenario.js';

export function reloadBreakers(): Scenario {
  const cb = { resource: 'cb', grade: 2, count: 2, minRequestAmount: 2, statIntervalMs: 1000, timeWindow: 3 };
  return scenario(
    'degrade ERROR_COUNT 2 pushed every ~2 s for 40 s: half equal (other id, blank limitApp), some with an ERROR_RATIO rule added',
    602,
    { degrade: [cb] },
    (b) => {
      b.arrivals(0, 40_000, 15, (t) => b.request(t, { resource: 'cb' }, b.int(0, 300), b.random() < 0.4));
      for (let k = 1; k < 20; k++) {
        const same = { ...cb, id: k, limitApp: b.pick(['default', '']) };
        const extra = b.random() < 0.3 ? [{ ...cb, grade: 1, count: 0.5 }] : [];
        b.load(k * 2000 + b.int(0, 999), { degrade: b.random() < 0.5 ? [cb] : [same, ...extra] });
      }
    },
    [/ L$/m, / cb\/2 CLOSED OPEN$/m, / cb\/1 CLOSED OPEN$/m],
  );
}

export function reloadParams(): Scenario {
  const p = { resource: 'p', paramIdx: 0, count: 3, durationInSec: 1 };
  const pt = { resource: 'pt', grade: 0, paramIdx: 0, count: 1 };
  return scenario(
    'param-flow QPS 3 and THREAD 1 pushed again at 5 s, edited to QPS 4 without THREAD at 10 s, restored at 15 s',
    603,
    { paramFlow: [p, pt] },
    (b) => {
      b.arrivals(0, 20_000, 20, (t) => b.request(t, { resource: 'p', args: [b.pick(['a', 'b'])] }, 1));
      b.arrivals(0, 20_000, 10, (t) =>
        b.request(t, { resource: 'pt', args: [b.pick(['a', 'b'])] }, b.int(0, 400)),
      );
      b.load(5000, { paramFlow: [p, pt] });
      b.load(10_000, { paramFlow: [{ ...p, count: 4 }] });
      b.load(15_000, { paramFlow: [p, pt] });
    },
    [/ L$/m, / B param-flow a$/m],
  );
}

export function reloadFlowUnchanged(): Scenario {
  const flow = [
    { resource: 'w', count: 30, controlBehavior: 1, warmUpPeriodSec: 4 },
    { resource: 'r', count: 10, controlBehavior: 2, maxQueueingTimeMs: 800 },
  ];
  return scenario(
    'flow WARM_UP 30/4 s and RATE_LIMITER 10 (800 ms) pushed again unchanged every 3 s: 45/s and 14/s for 20 s',
    601,
    { flow },
    (b) => {
      b.arrivals(0, 20_000, 45, (t) => b.request(t, { resource: 'w' }, 1));
      b.arrivals(0, 20_000, 14, (t) => b.request(t, { resource: 'r' }, 1));
      for (let k = 1; k < 7; k++)
        b.load(k * 3000 + 17, { flow: flow.map((r, i) => ({ ...r, id: k * 10 + i })) });
    },
    [/ L$/m, /^\d+ P [1-9]/m],
  );
}
