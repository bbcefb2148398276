/**
 * sentinel-transport: what lets the Sentinel dashboard see and steer a Silk service as it does
 * a Java one — the command server on the client port and the heartbeat to the dashboard,
 * speaking sentinel-transport-simple-http's protocol. It is kept apart from `sentinel/` so the
 * engine stays free of sockets.
 */
export {
  DashboardTransport,
  DEFAULT_COMMAND_PORT,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_PATH,
  type DashboardTransportOptions,
} from './command-center.js';
export { COMMAND_DESCRIPTIONS, ROOT_ID, SENTINEL_PROTOCOL_VERSION } from './commands.js';
