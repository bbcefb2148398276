/**
 * Group commit for phase-two writes: items that arrive while one write is in flight go
 * together in the next one. Phase two of an AT transaction is a small write per branch (its
 * undo row deleted at the participant; its session finished at the TC), and with MySQL
 * flushing its log on every commit, one write per item made phase two cost as many disk
 * flushes as there were branches. Seata batches the same work (its AsyncWorker and the TC's
 * async-committing task) on a one-second timer. Here a group is whatever arrived while the
 * write before it ran, plus, with `lingerMs`, what arrives that long after the first item:
 * worth it for work nobody waits on (AT phase two runs after the TM has its answer), where
 * fewer, larger writes leave the disk to the transactions still in flight.
 */
export interface GroupCommitOptions {
  /** Most items in one write. */
  maxGroup?: number;
  /** How long the first item of an idle queue waits for others; 0 writes it at once. */
  lingerMs?: number;
}

export class GroupCommit<T> {
  private queue: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;
  private readonly maxGroup: number;
  private readonly lingerMs: number;

  constructor(
    /** Writes one group; a throw fails every item of that group and none of the next. */
    private readonly write: (items: T[]) => Promise<void>,
    opts: GroupCommitOptions = {},
  ) {
    this.maxGroup = opts.maxGroup ?? 500;
    this.lingerMs = opts.lingerMs ?? 0;
  }

  /** Resolves once the group holding `item` is written. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      // A lingering write must not hold a process open that is otherwise done.
      if (this.lingerMs > 0) setTimeout(() => void this.flush(), this.lingerMs).unref();
      else void this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      try {
        await this.write(group.map((g) => g.item));
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.flushing = false;
  }
}
