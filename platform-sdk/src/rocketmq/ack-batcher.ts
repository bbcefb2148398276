/**
 * Acks gathered into batches: one AckMessageRequest carries many entries (same group, topic and
 * proxy endpoint), so a consumer whose handlers finish together pays one round trip for all of
 * them instead of one each. Every gRPC call costs both this process and the proxy far more than
 * an ack entry does, and on a busy machine that cost, not the network, caps the rate.
 *
 * Pure: the batcher does no I/O itself. It queues entries per key, hands a batch to `send` on
 * the next turn of the event loop (or at once when a batch is full), and settles each caller
 * with its own entry's outcome — an entry the proxy refused fails alone, a failed call fails
 * every entry it carried. Nothing is lost either way: an unacked message becomes visible again
 * after its invisible duration and is redelivered.
 */

export interface AckEntry {
  messageId: string;
  receiptHandle: string;
}

/** What `send` reports per entry: undefined when acked, else why not. */
export type AckOutcome = Error | undefined;

export type AckSender<K> = (key: K, entries: readonly AckEntry[]) => Promise<readonly AckOutcome[]>;

interface Pending {
  entry: AckEntry;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface AckBatcherOptions<K> {
  send: AckSender<K>;
  /** Entries per request at most (default 32). */
  maxBatch?: number;
  /** How the flush of a started batch is deferred (default `setImmediate`; injected in tests). */
  schedule?: (flush: () => void) => void;
}

export class AckBatcher<K> {
  private readonly batches = new Map<string, { key: K; items: Pending[] }>();
  private readonly maxBatch: number;
  private readonly schedule: (flush: () => void) => void;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: AckBatcherOptions<K>) {
    this.maxBatch = options.maxBatch ?? 32;
    this.schedule = options.schedule ?? ((f) => setImmediate(f));
  }

  /** Resolves once the proxy acked this entry; rejects with the reason it did not. */
  ack(id: string, key: K, entry: AckEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let batch = this.batches.get(id);
      if (!batch) {
        batch = { key, items: [] };
        this.batches.set(id, batch);
        const started = batch;
        this.schedule(() => {
          if (this.batches.get(id) === started) this.flush(id);
        });
      }
      batch.items.push({ entry, resolve, reject });
      if (batch.items.length >= this.maxBatch) this.flush(id);
    });
  }

  /** Waits for every request already handed to `send`. */
  async settled(): Promise<void> {
    for (const [id] of this.batches) this.flush(id);
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(id: string): void {
    const batch = this.batches.get(id);
    if (!batch) return;
    this.batches.delete(id);
    const items = batch.items;
    const done = this.options
      .send(
        batch.key,
        items.map((p) => p.entry),
      )
      .then(
        (outcomes) => {
          items.forEach((p, i) => {
            const outcome = i < outcomes.length ? outcomes[i] : new Error('no result for this entry');
            if (outcome) p.reject(outcome);
            else p.resolve();
          });
        },
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          for (const p of items) p.reject(error);
        },
      );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}
