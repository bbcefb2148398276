/** Runs one saga instance and hangs in step 2, to be SIGKILLed by saga.it.test.ts. */
import { samplePool } from './schema.js';
import { sagaEngine } from './saga-sample.js';

const sfx = process.env.SUFFIX ?? 'x';
const pool = samplePool('silk_order', 2);
const engine = await sagaEngine(pool, sfx, { slowStep: 2 });
await engine.start(`place-order-saga-${sfx}`, { order: 'o-crash' }, process.env.SAGA_ID);
