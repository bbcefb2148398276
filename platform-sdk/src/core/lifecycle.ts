/**
 * Start in dependency order, stop in reverse. A service is a list of components (config,
 * logger, pools, HTTP server, Nacos registration...); `start` brings them up one by one and,
 * if one fails, stops those already started before rethrowing, so nothing is left half up.
 * `stop` runs once even when SIGTERM and SIGINT both arrive, and a component that fails to
 * stop does not keep the others from stopping.
 */
export interface Component {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export type LifecycleEvent =
  | { kind: 'started'; component: string; ms: number }
  | { kind: 'stopped'; component: string; ms: number }
  | { kind: 'stop-failed'; component: string; error: unknown };

export class Lifecycle {
  private readonly started: Component[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly components: readonly Component[],
    private readonly onEvent: (e: LifecycleEvent) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async start(): Promise<void> {
    for (const c of this.components) {
      const t = this.now();
      try {
        await c.start();
      } catch (err) {
        await this.stop();
        throw err;
      }
      this.started.push(c);
      this.onEvent({ kind: 'started', component: c.name, ms: this.now() - t });
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    for (const c of [...this.started].reverse()) {
      const t = this.now();
      try {
        await c.stop();
        this.onEvent({ kind: 'stopped', component: c.name, ms: this.now() - t });
      } catch (error) {
        this.onEvent({ kind: 'stop-failed', component: c.name, error });
      }
    }
    this.started.length = 0;
  }

  /** Stops on SIGTERM/SIGINT, then calls `exit` (process.exit by default). Returns an unhook. */
  stopOnSignals(exit: (code: number) => void = (code) => process.exit(code)): () => void {
    const handler = () => {
      void this.stop().then(
        () => exit(0),
        () => exit(1),
      );
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
    return () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    };
  }
}
