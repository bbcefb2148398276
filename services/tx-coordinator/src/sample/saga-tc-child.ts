/**
 * A process whose sagas are branches at the TC (saga-tc.it.test.ts). MODE=run starts one saga
 * (3 s timeout) that hangs in step 2, to be SIGKILLed; MODE=serve only serves the saga resource,
 * so the TC's rollback of the dead process's transaction lands here. Prints `SERVING` once its
 * connection to the TC is up.
 */
import { SagaResourceManager, TxClient } from '@silk/platform-sdk/tx';
import { sagaEngine } from './saga-sample.js';
import { samplePool } from './schema.js';

const sfx = process.env.SUFFIX ?? 'x';
const [host, port] = (process.env.TC_ADDR ?? '127.0.0.1:8091').split(':');
const pool = samplePool('silk_order', 2);
const engine = await sagaEngine(pool, sfx, process.env.MODE === 'run' ? { slowStep: 2 } : {});
const client = new TxClient({ applicationId: 'saga-child', tc: [{ host: host!, port: Number(port) }] });
const rm = new SagaResourceManager(client.tc, engine, `saga-${sfx}`);
client.addResourceManager(rm);
await client.start();
console.log('SERVING');
if (process.env.MODE === 'run') await rm.start(`place-order-saga-${sfx}`, { order: 'o-tc-crash' }, { timeoutMs: 3000, id: process.env.SAGA_ID });
