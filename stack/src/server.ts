/**
 * The contract every server of the local cluster implements. The CLI drives them in order
 * (`up` in declaration order, `down` in reverse) and never knows server specifics.
 */
export interface ServerStatus {
  /** Server answers on its protocol (not just an open port). */
  healthy: boolean;
  /** Version as reported by the running server, or the configured one when it cannot tell. */
  version: string;
  /** Ports the server listens on, by role. */
  ports: Record<string, number>;
  /** true when this stack started it (so `down` may stop it); false when found already running. */
  ownedByStack: boolean;
  /** Short human detail: why unhealthy, pid, log path. */
  detail: string;
}

export interface StackServer {
  readonly name: string;
  /** Ports it will bind; `up` refuses to start when one is taken by a process it does not own. */
  readonly ports: Record<string, number>;
  /** Idempotent: install packages / resolve artifacts; cached between runs. */
  install(): Promise<void>;
  /** Idempotent: a no-op when already healthy. Resolves once healthy, or throws a StackError. */
  start(): Promise<void>;
  /** Stops it only if this stack started it. */
  stop(): Promise<void>;
  status(): Promise<ServerStatus>;
  /** Log files to show for `pnpm stack logs <name>`. */
  logFiles(): string[];
}

/** A failure that names what is missing or wrong and where to look. */
export class StackError extends Error {
  constructor(
    readonly server: string,
    message: string,
    readonly logFile?: string,
  ) {
    super(`[${server}] ${message}${logFile ? ` (log: ${logFile})` : ''}`);
    this.name = 'StackError';
  }
}
