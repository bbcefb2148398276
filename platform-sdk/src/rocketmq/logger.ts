/**
 * The logging port messaging writes to: pino's call shape (`obj, msg`), so a service passes its
 * pino logger as is. The npm client's own log lines (printf-style) are routed to it too, instead
 * of the file under ~/logs the client opens by default.
 */
import type { ILogger } from 'rocketmq-client-nodejs';
import { format } from 'node:util';

export interface MqLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}

/** Warnings and errors to the console; info is dropped (the library is quiet by default). */
export const consoleLogger: MqLogger = {
  info: () => undefined,
  warn: (obj, msg) => console.warn(`[silk:rocketmq] ${msg}`, obj),
  error: (obj, msg) => console.error(`[silk:rocketmq] ${msg}`, obj),
};

/** Adapts the npm client's printf-style logger calls to the port. */
export function clientLogger(logger: MqLogger, client: string): ILogger {
  const line = (args: unknown[]) => format(...(args as [unknown, ...unknown[]]));
  return {
    info: (...args: unknown[]) => logger.debug?.({ client }, line(args)),
    warn: (...args: unknown[]) => logger.warn({ client }, line(args)),
    error: (...args: unknown[]) => logger.error({ client }, line(args)),
    debug: () => undefined,
  };
}
