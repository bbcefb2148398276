/**
 * Registration of this service in Nacos as a lifecycle component: registers on start (after
 * the HTTP server listens), deregisters first on stop (before the server stops accepting, so
 * callers stop choosing us while in-flight requests drain).
 *
 * Ephemeral instances live in Nacos' memory only, so a Nacos restart forgets us. The naming
 * client's heartbeats carry the whole instance, which lets the server re-create it; as a
 * second line (a lost beat, a server that answers "unknown instance" instead) a reconcile loop
 * checks the server's own list and registers again when we are missing — what the Java
 * client's redo service does.
 */
import type { Component } from '../core/index.js';
import { createNamingClient, type NacosClientLogger, type NacosConnection } from './client.js';
import { NacosRegistrationError } from './errors.js';
import { buildInstance, type NacosInstance, type RegistrationOptions } from './instance.js';
import type { NacosNamingClient } from './naming-client.js';

export interface NacosRegistrationOptions extends RegistrationOptions {
  connection: NacosConnection;
  /** How often to check that Nacos still lists us. Default 5 s, one heartbeat period. */
  reconcileIntervalMs?: number;
  logger?: NacosClientLogger;
  /** Told each time the instance had to be registered again. */
  onReregistered?: (instance: NacosInstance) => void;
}

export class NacosRegistration implements Component {
  readonly name = 'nacos-registration';
  readonly instance: NacosInstance;
  private client: NacosNamingClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private registered = false;
  private reconciling = false;

  constructor(private readonly opts: NacosRegistrationOptions) {
    this.instance = buildInstance(opts);
  }

  async start(): Promise<void> {
    this.client ??= createNamingClient(this.opts.connection, this.opts.logger);
    await this.client.ready();
    await this.register();
    this.timer = setInterval(() => void this.reconcile(), this.opts.reconcileIntervalMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (this.registered)
        await client.deregisterInstance(
          this.instance.serviceName,
          this.clientInstance(),
          this.instance.groupName,
        );
      this.registered = false;
    } finally {
      await client.close();
    }
  }

  /** True while Nacos lists this instance (as of the last check). */
  get isRegistered(): boolean {
    return this.registered;
  }

  private clientInstance() {
    const { ip, port, weight, clusterName, ephemeral, enabled, healthy, metadata } = this.instance;
    return { instanceId: '', ip, port, weight, clusterName, ephemeral, enabled, healthy, metadata };
  }

  private async register(): Promise<void> {
    const i = this.instance;
    try {
      await this.client!.registerInstance(i.serviceName, this.clientInstance(), i.groupName);
      this.registered = true;
    } catch (err) {
      throw new NacosRegistrationError(
        i.serviceName,
        `${i.ip}:${i.port}`,
        this.opts.connection.serverAddr,
        err,
      );
    }
  }

  private async reconcile(): Promise<void> {
    const client = this.client;
    if (!client || this.reconciling) return;
    this.reconciling = true;
    try {
      const i = this.instance;
      const hosts = await client.getAllInstances(i.serviceName, i.groupName, i.clusterName, false);
      const present = hosts.some((h) => h.ip === i.ip && h.port === i.port);
      if (!present) {
        await this.register();
        this.opts.onReregistered?.(i);
      }
    } catch {
      // Nacos unreachable: keep serving; the next round tries again.
    } finally {
      this.reconciling = false;
    }
  }
}
