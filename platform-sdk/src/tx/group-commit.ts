/**
 * Group commit for phase-two writes: items that arrive while one write is in flight go
 * together in the next one. Phase two of an AT transaction is a small write per branch (its
 * undo row deleted at the participant; its session finished at the TC), and with MySQL
 * flushing its log on every commit, one write per item made phase two cost as many disk
 * flushes as there were branches. Seata batches the same work (its AsyncWorker and the TC's
 * async-committing task) on a timer; this batches without one, so a lone item is written at
 * once and no caller waits longer than the write before it plus its own.
 */
export class GroupCommit<T> {
  private queue: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    /** Writes one group; a throw fails every item of that group and none of the next. */
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxGroup = 500,
  ) {}

  /** Resolves once the group holding `item` is written. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
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
