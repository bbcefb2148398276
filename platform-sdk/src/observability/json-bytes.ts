/**
 * A JSON writer straight into bytes, for span exports. Why not strings: building a span's JSON
 * by concatenation and then flattening and UTF-8 encoding it cost ~1 µs a span on the
 * tracing-overhead bench (V8 keeps the pieces as a rope until it is written), the same as an
 * object per span plus JSON.stringify; writing ASCII characters into a reused Buffer as they
 * come costs about a third of that and allocates nothing per span.
 */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

export class JsonBytes {
  private buf: Buffer;
  pos = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Text known to need no escaping (punctuation, keys, hex ids): one byte a character. */
  raw(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Bytes prepared once (constant fragments, which may hold any UTF-8). */
  bytes(chunk: Buffer): void {
    this.room(chunk.length);
    this.buf.set(chunk, this.pos);
    this.pos += chunk.length;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** A JSON string; anything beyond plain ASCII goes through JSON.stringify and UTF-8. */
  str(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.slowStr(s);
        return;
      }
      b[p++] = c;
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  private slowStr(s: string): void {
    const json = JSON.stringify(s);
    this.room(Buffer.byteLength(json));
    this.pos += this.buf.write(json, this.pos);
  }

  /** A non-negative integer below 2^53 (microsecond timestamps, durations). */
  int(v: number): void {
    if (v < 1e8) return this.small(v, false);
    // Two halves under 2^31, so the digit loop runs on small integers.
    const high = Math.floor(v / 1e8);
    this.int(high);
    this.small(v - high * 1e8, true);
  }

  /** `v` < 1e8; `pad` writes all 8 digits (the low half of a larger number). */
  private small(v: number, pad: boolean): void {
    let digits = 8;
    if (!pad) for (digits = 1; digits < 8 && v >= POW10[digits]!; digits++);
    this.room(digits);
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    let t = v | 0;
    for (let i = 0; i < digits; i++) {
      const q = (t / 10) | 0;
      b[--p] = 0x30 + (t - q * 10);
      t = q;
    }
  }

  /** The bytes written since `reset`, copied out (the buffer is reused). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}
