/**
 * The sliding window of Sentinel (LeapArray): `sampleCount` buckets of
 * `intervalInMs / sampleCount` ms in a ring. A bucket is reused when time leaps past it, so a
 * window never allocates after construction. Unlike Java, the buckets are created up front and
 * an unused slot is marked by a window start of -Infinity, so no read needs a null check.
 *
 * Single-threaded JavaScript needs none of Java's CAS/lock dance: "reset the stale bucket" is a
 * plain assignment.
 */

export abstract class LeapArray<T> {
  readonly sampleCount: number;
  readonly intervalInMs: number;
  readonly windowLengthInMs: number;
  readonly intervalInSecond: number;
  readonly #starts: Float64Array;
  readonly #buckets: T[];
  // The window last returned by currentWindow: while time stays inside it (nearly every call),
  // two comparisons replace the floating-point modulo arithmetic, which is slow on
  // millisecond timestamps (they are too large for V8's small integers).
  #cachedStart = -Infinity;
  #cachedEnd = -Infinity;
  #cachedBucket: T | undefined;

  constructor(sampleCount: number, intervalInMs: number) {
    if (!(sampleCount > 0) || !(intervalInMs > 0) || intervalInMs % sampleCount !== 0) {
      throw new RangeError(
        `leap array: intervalInMs (${intervalInMs}) must be > 0 and a multiple of sampleCount (${sampleCount})`,
      );
    }
    this.sampleCount = sampleCount;
    this.intervalInMs = intervalInMs;
    this.windowLengthInMs = intervalInMs / sampleCount;
    this.intervalInSecond = intervalInMs / 1000;
    this.#starts = new Float64Array(sampleCount).fill(-Infinity);
    this.#buckets = [];
    for (let i = 0; i < sampleCount; i++) this.#buckets.push(this.newEmptyBucket());
  }

  protected abstract newEmptyBucket(): T;
  protected abstract resetBucket(bucket: T): void;

  /** The bucket that holds `timeMillis`, reset first if it still holds an older window. */
  currentWindow(timeMillis: number): T {
    if (timeMillis >= this.#cachedStart && timeMillis < this.#cachedEnd) return this.#cachedBucket!;
    const idx = Math.floor(timeMillis / this.windowLengthInMs) % this.sampleCount;
    const windowStart = timeMillis - (timeMillis % this.windowLengthInMs);
    const old = this.#starts[idx]!;
    const bucket = this.#buckets[idx]!;
    if (windowStart < old) {
      // The clock went backwards: like Java, count into a detached bucket nobody reads.
      return this.newEmptyBucket();
    }
    if (windowStart > old) {
      this.#starts[idx] = windowStart;
      this.resetBucket(bucket);
    }
    this.#cachedStart = windowStart;
    this.#cachedEnd = windowStart + this.windowLengthInMs;
    this.#cachedBucket = bucket;
    return bucket;
  }

  /** The bucket of the window just before the one holding `timeMillis`, if still live. */
  previousWindow(timeMillis: number): T | undefined {
    const t = timeMillis - this.windowLengthInMs;
    const idx = Math.floor(t / this.windowLengthInMs) % this.sampleCount;
    const start = this.#starts[idx]!;
    if (timeMillis - start > this.intervalInMs) return undefined;
    if (start + this.windowLengthInMs < t) return undefined;
    return this.#buckets[idx];
  }

  /** Number of slots in the ring, for allocation-free loops with `bucketAt`/`isLive`. */
  get length(): number {
    return this.sampleCount;
  }

  bucketAt(i: number): T {
    return this.#buckets[i]!;
  }

  windowStartAt(i: number): number {
    return this.#starts[i]!;
  }

  /** Java's `!isWindowDeprecated(time, w)`: the bucket belongs to the interval ending at `time`. */
  isLive(i: number, timeMillis: number): boolean {
    return timeMillis - this.#starts[i]! <= this.intervalInMs;
  }
}
