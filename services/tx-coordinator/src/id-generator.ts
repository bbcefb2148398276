/**
 * Transaction and branch ids: Seata's UUIDGenerator idea (a worker id, a timestamp and a
 * sequence packed into one 63-bit number) so TCs sharing a database never hand out the same
 * id. Ids travel as decimal strings: a JavaScript number cannot hold 63 bits.
 */
const EPOCH = 1_700_000_000_000n;

export class IdGenerator {
  private lastMs = 0n;
  private seq = 0n;

  constructor(
    private readonly workerId: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > 1023)
      throw new RangeError(`workerId ${workerId} is outside 0..1023`);
  }

  next(): string {
    let ms = BigInt(this.now()) - EPOCH;
    if (ms < this.lastMs) ms = this.lastMs; // clock stepped back: keep ids increasing
    if (ms === this.lastMs) {
      this.seq = (this.seq + 1n) & 0xfffn;
      if (this.seq === 0n) ms = this.lastMs + 1n; // 4096 ids in one ms: borrow the next ms
    } else {
      this.seq = 0n;
    }
    this.lastMs = ms;
    return ((ms << 22n) | (BigInt(this.workerId) << 12n) | this.seq).toString();
  }
}
