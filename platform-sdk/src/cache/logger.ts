/**
 * The logging port the cache and lock code write to: the pino call shape (`obj, msg`), so a
 * service passes its pino logger as is. Silent by default in the library; services inject theirs.
 */
export interface CacheLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}

/** Falls back to `console.warn`/`console.error`, so a corrupt value is never invisible. */
export const consoleLogger: CacheLogger = {
  warn: (obj, msg) => console.warn(`[silk:cache] ${msg}`, obj),
  error: (obj, msg) => console.error(`[silk:cache] ${msg}`, obj),
};
