/**
 * A Hessian 2 encoder for the values of java-values.ts, written the way Java Hessian
 * (dubbo's hessian-lite) writes them so a Java peer reads them back as the same Java types.
 * Also accepts js-to-java's `{ $class, $ }` wrappers, so code written against hessian.js
 * keeps working. Never writes back-references: a cyclic value is an error, not a hang.
 */
import { DubboCodecError } from './errors.js';
import { BigDecimal, JAVA_CLASS, JavaThrowable, LocalDateTime, type JavaObject } from './java-values.js';

const JAVA8 = 'com.alibaba.com.caucho.hessian.io.java8.';
const MAX_DEPTH = 256;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const LONG_MIN = -(2n ** 63n);
const LONG_LIMIT = 2n ** 63n;

/** js-to-java's typed wrapper. */
interface Typed {
  $class: string;
  $: unknown;
}

function isTyped(v: object): v is Typed {
  return typeof (v as Partial<Typed>).$class === 'string' && '$' in v;
}

/** A class definition written in message `message`: its field names and its ref number. */
interface ClassRef {
  message: number;
  keys: readonly string[];
  ref: number;
  /** Another definition of the same class name with other fields. */
  next: ClassRef | undefined;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Encoded class definitions by class name (the last field set seen for each). */
const classDefBytes = new Map<string, { keys: readonly string[]; bytes: Buffer }>();

export class HessianEncoder {
  private buf: Buffer;
  private pos = 0;
  /**
   * Class definitions by class name, kept across messages and valid for the one they were
   * written in: cheaper than clearing the map for every message.
   */
  private classRefs = new Map<string, ClassRef>();
  private classCount = 0;
  private message = 0;
  private typeRefs = new Map<string, number>();
  private depth = 0;

  /** Over `buf`, for 64-bit writes (Buffer.writeBigInt64BE is several times slower). */
  private view: DataView;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Starts a new message: class and type references do not carry over between messages. */
  reset(): this {
    this.pos = 0;
    this.message++;
    if (this.classRefs.size > 1024) this.classRefs.clear();
    this.classCount = 0;
    if (this.typeRefs.size > 0) this.typeRefs.clear();
    this.depth = 0;
    return this;
  }

  /** A copy of the bytes written since the last reset. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  get length(): number {
    return this.pos;
  }

  /** Writes the bytes into `target` at `offset` (to build a frame without another copy). */
  copyTo(target: Buffer, offset: number): void {
    this.buf.copy(target, offset, 0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  private put(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  write(v: unknown): this {
    if (v === null || v === undefined) this.put(0x4e);
    else if (typeof v === 'string') this.writeString(v);
    else if (typeof v === 'number') this.writeNumber(v);
    else if (typeof v === 'boolean') this.put(v ? 0x54 : 0x46);
    else if (typeof v === 'bigint') this.writeLong(v);
    else if (typeof v === 'object') {
      this.enter();
      this.writeObjectValue(v);
      this.depth--;
    } else throw new DubboCodecError(`cannot write a ${typeof v} in Hessian`);
    return this;
  }

  /**
   * One level deeper into a value; a throw leaves the count high, which is harmless as the
   * next message starts with reset().
   */
  enter(): void {
    if (++this.depth > MAX_DEPTH)
      throw new DubboCodecError(`value nests deeper than ${MAX_DEPTH} levels; is it cyclic?`);
  }

  leave(): void {
    this.depth--;
  }

  private writeObjectValue(v: object): void {
    // Plain objects first: POJOs, typed wrappers and maps written as objects are most values.
    if (v.constructor === Object) {
      if (JAVA_CLASS in v) this.writeInstance((v as JavaObject)[JAVA_CLASS], v);
      else if (isTyped(v)) this.writeTyped(v);
      else this.writeMap(Object.entries(v));
    } else if (Buffer.isBuffer(v) || v instanceof Uint8Array) this.writeBinary(v);
    else if (v instanceof Date) this.writeDate(v);
    else if (Array.isArray(v)) this.writeList(v, undefined);
    else if (v instanceof Set) this.writeList([...v], 'java.util.HashSet');
    else if (v instanceof Map) this.writeMap(v.entries());
    else if (v instanceof BigDecimal) this.writeInstance('java.math.BigDecimal', { value: v.value });
    else if (v instanceof LocalDateTime) this.writeLocalDateTime(v);
    else if (v instanceof JavaThrowable) this.writeThrowable(v);
    else if (JAVA_CLASS in v) this.writeInstance((v as JavaObject)[JAVA_CLASS], v);
    else if (isTyped(v)) this.writeTyped(v);
    else this.writeMap(Object.entries(v));
  }

  writeInt(v: number): void {
    if (v >= -16 && v <= 47) this.put(0x90 + v);
    else if (v >= -2048 && v <= 2047) {
      this.put(0xc8 + (v >> 8));
      this.put(v & 0xff);
    } else if (v >= -262144 && v <= 262143) {
      this.ensure(3);
      this.buf[this.pos++] = 0xd4 + (v >> 16);
      this.buf.writeUInt16BE(v & 0xffff, this.pos);
      this.pos += 2;
    } else {
      this.ensure(5);
      this.buf[this.pos++] = 0x49;
      this.buf.writeInt32BE(v | 0, this.pos);
      this.pos += 4;
    }
  }

  writeLong(v: number | bigint): void {
    const n = typeof v === 'bigint' ? (v >= INT32_MIN && v <= INT32_MAX ? Number(v) : undefined) : v;
    if (n !== undefined && n >= INT32_MIN && n <= INT32_MAX) {
      if (n >= -8 && n <= 15) this.put(0xe0 + n);
      else if (n >= -2048 && n <= 2047) {
        this.put(0xf8 + (n >> 8));
        this.put(n & 0xff);
      } else if (n >= -262144 && n <= 262143) {
        this.ensure(3);
        this.buf[this.pos++] = 0x3c + (n >> 16);
        this.buf.writeUInt16BE(n & 0xffff, this.pos);
        this.pos += 2;
      } else {
        this.ensure(5);
        this.buf[this.pos++] = 0x59;
        this.buf.writeInt32BE(n, this.pos);
        this.pos += 4;
      }
      return;
    }
    const big = BigInt(v);
    if (big < LONG_MIN || big >= LONG_LIMIT) throw new DubboCodecError(`${big} does not fit a Java long`);
    this.ensure(9);
    this.buf[this.pos++] = 0x4c;
    this.view.setBigInt64(this.pos, big);
    this.pos += 8;
  }

  writeDouble(v: number): void {
    if (v === 0 && !Object.is(v, -0)) return this.put(0x5b);
    if (v === 1) return this.put(0x5c);
    if (Number.isInteger(v) && v >= -128 && v <= 127) return (this.put(0x5d), this.put(v & 0xff));
    if (Number.isInteger(v) && v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.pos++] = 0x5e;
      this.buf.writeInt16BE(v, this.pos);
      this.pos += 2;
      return;
    }
    // Java's "double mill": thousandths in an int32 when that is exact.
    const mills = Math.trunc(v * 1000);
    if (mills >= INT32_MIN && mills <= INT32_MAX && 0.001 * mills === v) {
      this.ensure(5);
      this.buf[this.pos++] = 0x5f;
      this.buf.writeInt32BE(mills, this.pos);
      this.pos += 4;
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = 0x44;
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** A JS number as Java would have it: int when it fits, long when integral, else double. */
  private writeNumber(v: number): void {
    if (Number.isInteger(v)) {
      if (v >= INT32_MIN && v <= INT32_MAX) this.writeInt(v);
      else if (Number.isSafeInteger(v)) this.writeLong(v);
      else this.writeDouble(v);
    } else this.writeDouble(v);
  }

  writeString(s: string): void {
    const len = s.length;
    if (len <= 31) {
      // Most strings on the wire (names, keys, short values): one length byte, then the bytes.
      this.ensure(1 + len * 3);
      this.buf[this.pos++] = len;
      return this.utf8(s, 0, len);
    }
    // Chunks of at most 0x8000 UTF-16 units, never splitting a surrogate pair.
    let start = 0;
    while (s.length - start > 0x8000) {
      let end = start + 0x8000;
      const last = s.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end--;
      this.ensure(3);
      this.buf[this.pos++] = 0x52;
      this.buf.writeUInt16BE(end - start, this.pos);
      this.pos += 2;
      this.utf8(s, start, end);
      start = end;
    }
    const n = s.length - start;
    if (n <= 31) this.put(n);
    else if (n <= 1023) {
      this.put(0x30 + (n >> 8));
      this.put(n & 0xff);
    } else {
      this.ensure(3);
      this.buf[this.pos++] = 0x53;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    }
    this.utf8(s, start, s.length);
  }

  /** Java writes each UTF-16 unit on its own (a surrogate pair is two 3-byte sequences). */
  private utf8(s: string, from: number, to: number): void {
    this.ensure((to - from) * 3);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[pos++] = c;
      else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = pos;
  }

  private writeBinary(b: Uint8Array): void {
    let start = 0;
    while (b.length - start > 0x8000) {
      this.binaryChunk(0x41, b.subarray(start, start + 0x8000));
      start += 0x8000;
    }
    const rest = b.subarray(start);
    if (rest.length <= 15) this.put(0x20 + rest.length);
    else if (rest.length <= 1023) {
      this.put(0x34 + (rest.length >> 8));
      this.put(rest.length & 0xff);
    } else return this.binaryChunk(0x42, rest);
    this.ensure(rest.length);
    this.buf.set(rest, this.pos);
    this.pos += rest.length;
  }

  private binaryChunk(code: number, part: Uint8Array): void {
    this.ensure(3 + part.length);
    this.buf[this.pos++] = code;
    this.buf.writeUInt16BE(part.length, this.pos);
    this.pos += 2;
    this.buf.set(part, this.pos);
    this.pos += part.length;
  }

  private writeDate(d: Date): void {
    const ms = d.getTime();
    if (ms % 60_000 === 0 && ms / 60_000 >= INT32_MIN && ms / 60_000 <= INT32_MAX) {
      this.ensure(5);
      this.buf[this.pos++] = 0x4b;
      this.buf.writeInt32BE(ms / 60_000, this.pos);
      this.pos += 4;
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = 0x4a;
    this.view.setBigInt64(this.pos, BigInt(ms));
    this.pos += 8;
  }

  private writeType(type: string): void {
    const ref = this.typeRefs.get(type);
    if (ref !== undefined) return this.writeInt(ref);
    this.typeRefs.set(type, this.typeRefs.size);
    this.writeString(type);
  }

  writeList(items: readonly unknown[], type: string | undefined): void {
    this.writeListHeader(items.length, type);
    for (const x of items) this.write(x);
  }

  /** The start of a fixed-length list of `n` items (untyped when `type` is undefined). */
  writeListHeader(n: number, type: string | undefined): void {
    if (type === undefined) {
      if (n <= 7) this.put(0x78 + n);
      else {
        this.put(0x58);
        this.writeInt(n);
      }
    } else if (n <= 7) {
      this.put(0x70 + n);
      this.writeType(type);
    } else {
      this.put(0x56);
      this.writeType(type);
      this.writeInt(n);
    }
  }

  writeMap(entries: Iterable<[unknown, unknown]>, type?: string): void {
    this.writeMapStart(type);
    for (const [k, v] of entries) {
      this.write(k);
      this.write(v);
    }
    this.writeMapEnd();
  }

  /** The start of a map (untyped when `type` is undefined); keys and values follow, then writeMapEnd. */
  writeMapStart(type?: string): void {
    if (type === undefined) this.put(0x48);
    else {
      this.put(0x4d);
      this.writeType(type);
    }
  }

  writeMapEnd(): void {
    this.put(0x5a);
  }

  /** An object of `className`: its class definition once per message, then the field values. */
  writeInstance(className: string, fields: Record<string, unknown>): void {
    const keys = Object.keys(fields);
    this.writeObjectStart(className, keys);
    for (const k of keys) this.write(fields[k]);
  }

  /**
   * The start of an object of `className` with fields `keys`: the class definition the first
   * time the message uses it, then its ref. The field values follow, in `keys` order.
   */
  writeObjectStart(className: string, keys: readonly string[]): void {
    const known = this.classRefs.get(className);
    const first = known?.message === this.message ? known : undefined;
    let r = first;
    while (r !== undefined && !sameKeys(r.keys, keys)) r = r.next;
    if (r === undefined) {
      r = { message: this.message, keys, ref: this.classCount++, next: first };
      this.classRefs.set(className, r);
      this.writeClassDef(className, keys);
    }
    if (r.ref <= 15) this.put(0x60 + r.ref);
    else {
      this.put(0x4f);
      this.writeInt(r.ref);
    }
  }

  /** 'C', the class name, the field count and names: the same bytes every time, so copied once made. */
  private writeClassDef(className: string, keys: readonly string[]): void {
    const known = classDefBytes.get(className);
    if (known && sameKeys(known.keys, keys)) {
      this.ensure(known.bytes.length);
      this.buf.set(known.bytes, this.pos);
      this.pos += known.bytes.length;
      return;
    }
    const start = this.pos;
    this.put(0x43);
    this.writeString(className);
    this.writeInt(keys.length);
    for (const k of keys) this.writeString(k);
    if (classDefBytes.size >= 1024) classDefBytes.clear();
    classDefBytes.set(className, { keys, bytes: Buffer.from(this.buf.subarray(start, this.pos)) });
  }

  private writeLocalDateTime(t: LocalDateTime): void {
    this.writeInstance(`${JAVA8}LocalDateTimeHandle`, {
      date: { [JAVA_CLASS]: `${JAVA8}LocalDateHandle`, year: t.year, month: t.month, day: t.day },
      time: {
        [JAVA_CLASS]: `${JAVA8}LocalTimeHandle`,
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        nano: t.nano,
      },
    });
  }

  /** A Throwable as Java Hessian writes one, with an empty stack (the peer cannot see ours). */
  private writeThrowable(t: JavaThrowable): void {
    this.writeInstance(t.javaClass, {
      detailMessage: t.javaMessage,
      cause: t.cause ?? null,
      stackTrace: { $class: '[java.lang.StackTraceElement', $: [] },
      suppressedExceptions: [],
    });
  }

  private writeTyped(v: Typed): void {
    const { $class: cls, $: value } = v;
    if (value === null || value === undefined) return this.put(0x4e);
    switch (cls) {
      case 'int':
      case 'short':
      case 'byte':
      case 'java.lang.Integer':
      case 'java.lang.Short':
      case 'java.lang.Byte':
        return this.writeInt(Number(value));
      case 'long':
      case 'java.lang.Long':
        return this.writeLong(typeof value === 'bigint' ? value : BigInt(value as string | number));
      case 'double':
      case 'float':
      case 'java.lang.Double':
      case 'java.lang.Float':
        return this.writeDouble(Number(value));
      case 'boolean':
      case 'java.lang.Boolean':
        return this.put(value ? 0x54 : 0x46);
      case 'java.lang.String':
      case 'char':
      case 'java.lang.Character':
        return this.writeString(typeof value === 'string' ? value : JSON.stringify(value));
      case 'java.util.List':
      case 'java.util.ArrayList':
      case 'java.util.Collection':
        return this.writeList(value as unknown[], undefined);
      case 'java.util.Map':
      case 'java.util.HashMap':
        return this.writeMap(value instanceof Map ? value.entries() : Object.entries(value));
      case 'java.lang.Object':
        return void this.write(value);
      default:
        if (cls.startsWith('[')) return this.writeList(value as unknown[], cls);
        if (/Set$/.test(cls)) return this.writeList([...(value as Iterable<unknown>)], cls);
        return this.writeInstance(cls, value as Record<string, unknown>);
    }
  }
}

/** One message's worth of values, encoded in order. */
export function encodeAll(values: readonly unknown[]): Buffer {
  const e = new HessianEncoder();
  for (const v of values) e.write(v);
  return e.toBuffer();
}
