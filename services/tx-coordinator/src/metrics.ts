/** The TC's Prometheus metrics: outcomes of global transactions and of each branch's phase two. */
import { Counter, Gauge, Registry } from 'prom-client';

export class TcMetrics {
  readonly registry = new Registry();
  readonly begun = new Counter({ name: 'silk_tx_global_begin_total', help: 'Global transactions begun', registers: [this.registry] });
  readonly ended = new Counter({
    name: 'silk_tx_global_end_total',
    help: 'Global transactions ended, by final status (Committed, Rollbacked, TimeoutRollbacked, CommitFailed, RollbackFailed)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly branchRegistered = new Counter({
    name: 'silk_tx_branch_register_total',
    help: 'Branch registrations, by branch type and result (ok, lock_conflict, rejected)',
    labelNames: ['branch_type', 'result'],
    registers: [this.registry],
  });
  readonly phaseTwo = new Counter({
    name: 'silk_tx_branch_phase2_total',
    help: 'Branch commit/rollback attempts, by action and result (done, retry, failed, no_channel)',
    labelNames: ['action', 'result'],
    registers: [this.registry],
  });
  readonly recovered = new Counter({
    name: 'silk_tx_recovered_total',
    help: 'Sessions taken up by the recovery loop (own unfinished, timed out, or taken over from another TC)',
    registers: [this.registry],
  });
  readonly connectedClients = new Gauge({ name: 'silk_tx_connected_clients', help: 'Client connections open', registers: [this.registry] });
}
