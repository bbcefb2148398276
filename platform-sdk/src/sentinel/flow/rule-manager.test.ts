import { describe, expect, it } from 'vitest';
import { FlowRuleManager } from './rule-manager.js';

describe('FlowRuleManager.loadRules', () => {
  it("fills Java's defaults", () => {
    const m = new FlowRuleManager();
    const { rules } = m.loadRules('[{"resource":"r","count":5}]');
    expect(rules).toEqual([
      expect.objectContaining({
        resource: 'r',
        limitApp: 'default',
        grade: 1,
        count: 5,
        strategy: 0,
        controlBehavior: 0,
        warmUpPeriodSec: 10,
        maxQueueingTimeMs: 500,
        clusterMode: false,
        regex: false,
      }),
    ]);
  });

  it('rejects each bad rule alone, with a coded reason, and loads the rest', () => {
    const m = new FlowRuleManager();
    const result = m.loadRules([
      { resource: 'ok', count: 1 },
      { resource: ' ', count: 1 },
      { resource: 'r', count: -1 },
      { resource: 'r', count: '10' },
      { resource: 'r', count: 1, grade: 7 },
      { resource: 'r', count: 1, strategy: 1 },
      { resource: 'r', count: 1, controlBehavior: 1, warmUpPeriodSec: 0 },
      { resource: 'r', count: 1, controlBehavior: 2, maxQueueingTimeMs: 0 },
      { resource: 'r', count: 1, clusterMode: true },
      { resource: '(', regex: true, count: 1 },
      { resource: 'r.*', regex: true, count: 1, controlBehavior: 1 },
      42,
      { resource: 'ok2', grade: 0, count: 3, strategy: 1 },
    ]);
    expect(result.applied).toBe(true);
    expect(result.rules.map((r) => r.resource)).toEqual(['ok', 'ok2']);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const r of result.rejected) expect(r.error.code).toBe('SILK_SENTINEL_RULE_INVALID');
  });

  it('loads an unknown controlBehavior code as Java does (limited by the default controller)', () => {
    const m = new FlowRuleManager();
    const result = m.loadRules([
      { resource: 'r', count: 1, controlBehavior: 4 },
      { resource: 'r', count: 1, controlBehavior: -1 },
    ]);
    expect(result.rules.map((r) => r.controlBehavior)).toEqual([4]);
    expect(result.rejected.map((r) => r.index)).toEqual([1]);
  });

  it('keeps the previous rules when the document is unreadable', () => {
    const m = new FlowRuleManager();
    m.loadRules([{ resource: 'r', count: 1 }]);
    for (const bad of ['{not json', '{"resource":"r"}']) {
      const result = m.loadRules(bad);
      expect(result.applied).toBe(false);
      expect(result.rejected[0]!.index).toBe(-1);
      expect(result.rejected[0]!.error.code).toBe('SILK_SENTINEL_RULE_INVALID');
      expect(m.getRules().map((r) => r.resource)).toEqual(['r']);
    }
  });

  it('treats empty text as "no rules", and loads equal rules (ignoring id) once', () => {
    const m = new FlowRuleManager();
    expect(
      m.loadRules([
        { id: 1, resource: 'r', count: 1 },
        { id: 2, resource: 'r', count: 1 },
      ]).rules,
    ).toHaveLength(1);
    expect(m.loadRules('  ').rules).toEqual([]);
    expect(m.hasConfig('r')).toBe(false);
  });
});
