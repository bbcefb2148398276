/**
 * Logs as the estate's log pipeline expects them from a Spring service: one JSON object per
 * line (pino), with the MDC fields Micrometer Tracing and Seata put there, under their MDC
 * names — `traceId`, `spanId`, and Seata's `X-TX-XID` for the global transaction — on every
 * line written inside a request, so one log query finds a transaction across Java and Node.
 *
 * Levels follow Spring's `logging.level.root` and `logging.level.<logger>` and change live
 * when the properties change (a Nacos edit): a named logger takes the level of the longest
 * configured prefix of its name (`logging.level.com.acme` covers `com.acme.orders`), else the
 * root level. Spring's level names map onto pino's; OFF is pino's `silent`.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentXid } from '../core/index.js';
import { ObservabilityConfigError } from './errors.js';
import { mapUnder, type Properties } from './properties.js';
import { currentTraceIds } from './spans.js';

/** Seata's RootContext.MDC_KEY_XID. */
export const MDC_KEY_XID = 'X-TX-XID';

const SPRING_LEVELS: Record<string, pino.LevelWithSilent> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  OFF: 'silent',
};

export function pinoLevel(key: string, spring: string): pino.LevelWithSilent {
  const level = SPRING_LEVELS[spring.trim().toUpperCase()];
  if (level === undefined)
    throw new ObservabilityConfigError(key, spring, Object.keys(SPRING_LEVELS).join(', '));
  return level;
}

/** The MDC of the current request: what the mixin adds to each line. */
export function logContext(): Record<string, string> {
  const ids = currentTraceIds();
  const xid = currentXid();
  if (!ids && !xid) return {};
  const out: Record<string, string> = {};
  if (ids) {
    out.traceId = ids.traceId;
    out.spanId = ids.spanId;
  }
  if (xid) out[MDC_KEY_XID] = xid;
  return out;
}

export interface LoggerOptions {
  application: string;
  level?: string;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

/** The service's root logger: JSON lines carrying the request's trace ids and XID. */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: opts.application, pid: process.pid },
      mixin: logContext,
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
}

/** Named loggers whose levels follow `logging.level.*` as it changes. */
export class LogLevels {
  private readonly named = new Map<string, Logger>();
  private levels = new Map<string, pino.LevelWithSilent>();
  private root: pino.LevelWithSilent;

  constructor(private readonly rootLogger: Logger) {
    this.root = rootLogger.level as pino.LevelWithSilent;
  }

  /** A child logger named as Spring names loggers (`com.acme.orders`, `nacos`). */
  logger(name: string): Logger {
    let l = this.named.get(name);
    if (l === undefined) {
      l = this.rootLogger.child({ logger: name });
      l.level = this.levelOf(name);
      this.named.set(name, l);
    }
    return l;
  }

  levelOf(name: string): pino.LevelWithSilent {
    let best: string | undefined;
    for (const prefix of this.levels.keys()) {
      const covers = name === prefix || name.startsWith(`${prefix}.`);
      if (covers && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return best === undefined ? this.root : this.levels.get(best)!;
  }

  /**
   * Applies `logging.level.*` from `props`; throws (changing nothing) when a level is not one
   * of Spring's. Returns the levels now in force, for the log and /actuator/loggers-like views.
   */
  apply(props: Properties): Record<string, string> {
    const next = new Map<string, pino.LevelWithSilent>();
    let root: pino.LevelWithSilent = 'info';
    for (const [name, value] of mapUnder(props, 'logging.level')) {
      const level = pinoLevel(`logging.level.${name}`, value);
      if (name === 'root') root = level;
      else next.set(name, level);
    }
    this.levels = next;
    this.root = root;
    this.rootLogger.level = root;
    for (const [name, l] of this.named) l.level = this.levelOf(name);
    return { root, ...Object.fromEntries(next) };
  }
}
