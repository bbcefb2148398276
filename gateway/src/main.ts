/**
 * The gateway process: `pnpm --filter @silk/gateway start` (or `node --import tsx src/main.ts`)
 * in a directory with an optional `bootstrap.yaml`. Prints `GATEWAY READY <port>` once it
 * serves; SIGTERM or SIGINT deregisters it from Nacos, drains requests in flight and exits 0.
 * See gateway-app.ts for the settings it reads.
 */
import { createGatewayApp } from './gateway-app.js';

const app = createGatewayApp();
try {
  await app.start();
} catch (err) {
  console.error(`gateway failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await app.stop().catch(() => undefined);
  process.exit(1);
}
console.log(`GATEWAY READY ${app.port()}`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  app.service.app.log.info(`${signal}: deregistering and draining`);
  app.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('gateway stop failed', err);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
