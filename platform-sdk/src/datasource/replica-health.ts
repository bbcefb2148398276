/**
 * Whether a replica may serve reads, from what MariaDB/MySQL says about itself in
 * `SHOW SLAVE STATUS`: both replication threads running and `Seconds_Behind_Master` within the
 * allowed lag. A replica that cannot be asked is down. Pure: the probe is injected.
 */

export interface SlaveStatus {
  Slave_IO_Running?: unknown;
  Slave_SQL_Running?: unknown;
  Seconds_Behind_Master?: unknown;
}

export interface ReplicaVerdict {
  usable: boolean;
  /** Seconds behind the primary, when replication reports it. */
  lagSeconds?: number;
  reason: string;
}

/** Judges one `SHOW SLAVE STATUS` answer (undefined: the server is no replica at all). */
export function judgeReplica(status: SlaveStatus | undefined, maxLagSeconds: number): ReplicaVerdict {
  if (status === undefined) return { usable: false, reason: 'not a replica (SHOW SLAVE STATUS is empty)' };
  const io = String(status.Slave_IO_Running);
  const sql = String(status.Slave_SQL_Running);
  if (io !== 'Yes' || sql !== 'Yes') return { usable: false, reason: `replication threads not running (io ${io}, sql ${sql})` };
  const raw = status.Seconds_Behind_Master;
  if (raw === null || raw === undefined) return { usable: false, reason: 'lag unknown (Seconds_Behind_Master is NULL)' };
  const lag = Number(raw);
  if (lag > maxLagSeconds) return { usable: false, lagSeconds: lag, reason: `lagging ${lag} s behind (max ${maxLagSeconds} s)` };
  return { usable: true, lagSeconds: lag, reason: 'replicating' };
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
]);

/** An error that says the server (not the statement) failed, so another member may serve. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; fatal?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  return e.fatal === true || (typeof e.code === 'string' && CONNECTION_CODES.has(e.code));
}
