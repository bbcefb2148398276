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

/** pino's level names as Spring's LogLevel spells them (pino's `silent` is OFF). */
const SPRING_NAME: Record<pino.LevelWithSilent, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
  silent: 'OFF',
};

/** Spring's LoggersEndpoint `levels`, most severe first as Boot lists them. */
export const SPRING_LOG_LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;

/** One logger as `/actuator/loggers` shows it. */
export interface LoggerLevels {
  configuredLevel: string | null;
  effectiveLevel: string;
}

const ROOT = 'ROOT';

/**
 * Named loggers whose levels follow `logging.level.*` as it changes, and levels set at run time
 * (`/actuator/loggers`). As Spring Cloud's LoggingRebinder does, a change of the properties
 * re-applies every `logging.level.*` they name — overriding a run-time level for those loggers
 * — while a run-time level on a logger the properties do not name stays.
 */
export class LogLevels {
  private readonly named = new Map<string, Logger>();
  private fromProps = new Map<string, pino.LevelWithSilent>();
  private readonly runtime = new Map<string, pino.LevelWithSilent>();
  private levels = new Map<string, pino.LevelWithSilent>();

  constructor(private readonly rootLogger: Logger) {
    this.fromProps.set(ROOT, rootLogger.level as pino.LevelWithSilent);
    this.recompute();
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
      if (prefix === ROOT) continue;
      const covers = name === prefix || name.startsWith(`${prefix}.`);
      if (covers && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return this.levels.get(best ?? ROOT) ?? 'info';
  }

  /**
   * Applies `logging.level.*` from `props`; throws (changing nothing) when a level is not one
   * of Spring's. Returns the levels now in force, for the log.
   */
  apply(props: Properties): Record<string, string> {
    const next = new Map<string, pino.LevelWithSilent>([[ROOT, 'info']]);
    for (const [name, value] of mapUnder(props, 'logging.level')) {
      const key = name.toLowerCase() === 'root' ? ROOT : name;
      next.set(key, pinoLevel(`logging.level.${name}`, value));
    }
    this.fromProps = next;
    for (const name of next.keys())
      if (name !== ROOT || props.has('logging.level.root')) this.runtime.delete(name);
    this.recompute();
    return Object.fromEntries([...this.levels].map(([k, v]) => [k === ROOT ? 'root' : k, v]));
  }

  /** Sets (or with `null`, clears) a logger's run-time level, as POST /actuator/loggers/{name} does. */
  setLevel(name: string, springLevel: string | null): void {
    const key = name.toUpperCase() === ROOT ? ROOT : name;
    if (springLevel === null) this.runtime.delete(key);
    else this.runtime.set(key, pinoLevel(`configuredLevel of ${name}`, springLevel));
    this.recompute();
  }

  /** One logger's levels, or undefined for a logger nothing names. */
  describe(name: string): LoggerLevels | undefined {
    const key = name.toUpperCase() === ROOT ? ROOT : name;
    if (!this.knownNames().has(key)) return undefined;
    const configured = this.levels.get(key);
    return {
      configuredLevel: configured === undefined ? null : SPRING_NAME[configured],
      effectiveLevel: SPRING_NAME[key === ROOT ? this.levelOf('') : this.levelOf(key)],
    };
  }

  /** Every logger: ROOT, those configured, the named ones and their parent packages, sorted as Boot sorts them (ROOT first). */
  describeAll(): Record<string, LoggerLevels> {
    const names = [...this.knownNames()].filter((n) => n !== ROOT).sort();
    const out: Record<string, LoggerLevels> = {};
    for (const n of [ROOT, ...names]) out[n] = this.describe(n)!;
    return out;
  }

  private knownNames(): Set<string> {
    const names = new Set<string>([ROOT, ...this.levels.keys()]);
    for (const n of this.named.keys()) {
      const parts = n.split('.');
      for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join('.'));
    }
    return names;
  }

  private recompute(): void {
    this.levels = new Map([...this.fromProps, ...this.runtime]);
    this.rootLogger.level = this.levels.get(ROOT) ?? 'info';
    for (const [name, l] of this.named) l.level = this.levelOf(name);
  }
}
