import { describe, expect, it } from 'vitest';
import { Lifecycle, type Component } from './index.js';

function recorder(log: string[], name: string, opts: { failStart?: boolean; failStop?: boolean } = {}): Component {
  return {
    name,
    start: () => {
      if (opts.failStart) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    stop: () => {
      log.push(`stop ${name}`);
      if (opts.failStop) throw new Error(`${name} cannot stop`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const lc = new Lifecycle(['config', 'pool', 'http', 'registration'].map((n) => recorder(log, n)));
    await lc.start();
    await lc.stop();
    expect(log).toEqual([
      'start config',
      'start pool',
      'start http',
      'start registration',
      'stop registration',
      'stop http',
      'stop pool',
      'stop config',
    ]);
  });

  it('a failed start stops what was already started, then rethrows', async () => {
    const log: string[] = [];
    const lc = new Lifecycle([recorder(log, 'a'), recorder(log, 'b'), recorder(log, 'c', { failStart: true })]);
    await expect(lc.start()).rejects.toThrow(/c cannot start/);
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('stops once, and a failing stop does not keep the others running', async () => {
    const log: string[] = [];
    const events: string[] = [];
    const lc = new Lifecycle([recorder(log, 'a'), recorder(log, 'b', { failStop: true })], (e) =>
      events.push(`${e.kind} ${e.component}`),
    );
    await lc.start();
    await Promise.all([lc.stop(), lc.stop()]);
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
    expect(events).toContain('stop-failed b');
    expect(events).toContain('stopped a');
  });
});
