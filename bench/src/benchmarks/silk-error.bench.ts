/**
 * What the SilkError base costs over a plain Error, per construction. Errors sit on hot
 * failure paths (a flow block turned into a 429, a Dubbo timeout), so this should stay a
 * small multiple of `new Error`.
 */
import { SilkError } from '@silk/platform-sdk/core';
import { nsPerOp, type Benchmark } from '../harness.js';

class BlockedError extends SilkError {}

const bench: Benchmark = {
  name: 'silk-error',
  description: 'Constructing a coded SilkError subclass beside a plain `new Error` (stack traces on).',
  runs: 5,
  better: { 'ns/op': 'lower' },
  cases: [
    { name: 'new Error', baseline: true, run: () => nsPerOp(() => new Error('blocked'), 200_000) },
    {
      name: 'new SilkError subclass',
      run: () =>
        nsPerOp(
          () => new BlockedError('SILK_SENTINEL_FLOW_BLOCKED', 'blocked', { statusCode: 429 }),
          200_000,
        ),
    },
  ],
  targets: ['no fixed target; watch the ratio'],
};

export default bench;
