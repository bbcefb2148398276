/**
 * A Hessian 2 decoder producing the values of java-values.ts. Written here rather than taken
 * from hessian.js because hessian.js turns longs beyond 2^53 into strings, drops POJO class
 * names and Set/Map types, and cannot read variable-length lists; and because it sits on the
 * hot path of every call. Grammar: http://hessian.caucho.com/doc/hessian-serialization.html,
 * checked against bytes written by Java Hessian (dubbo's hessian-lite) in the tests.
 *
 *   value ::= null | binary | boolean | class-def value | date | double | int | list | long
 *           | map | object | ref | string
 */
import { DubboCodecError } from './errors.js';
import { BigDecimal, JAVA_CLASS, JavaThrowable, LocalDateTime } from './java-values.js';

interface ClassDef {
  name: string;
  fields: string[];
  /** What its objects inherit: the class name under JAVA_CLASS. */
  proto: object;
  /** Whether its objects become a JavaScript value of their own (special()). */
  special: boolean;
}

/**
 * One prototype per Java class, holding the non-enumerable JAVA_CLASS, so a decoded POJO is
 * made with Object.create instead of a defineProperty per object (17x slower). Class names
 * are few; the cap only guards against a peer sending endless distinct ones.
 */
const classProtos = new Map<string, object>();
function protoOf(name: string): object {
  let p = classProtos.get(name);
  if (!p) {
    if (classProtos.size >= 10_000) classProtos.clear();
    p = Object.create(Object.prototype, { [JAVA_CLASS]: { value: name, enumerable: false } }) as object;
    classProtos.set(name, p);
  }
  return p;
}

const isSetType = (type: string): boolean => type.endsWith('Set');

/**
 * Short ASCII strings decoded lately, by a hash of their bytes: class and field names, enum
 * constants, attachment keys and the request's header strings repeat in every message, and
 * finding them here costs no allocation. Two slots per hash; a third string evicts the older.
 */
const SHORT_STRING = 48;
const STRING_SLOTS = 1024;
const recentStrings: (string | undefined)[] = new Array<string | undefined>(STRING_SLOTS).fill(undefined);

/** The ASCII string in `buf[pos, pos + n)`, from the cache when seen lately; undefined when not ASCII. */
function shortAscii(buf: Buffer, pos: number, n: number): string | undefined {
  // A few bytes pick the slot; the full comparison below is what proves a hit.
  const last = pos + n - 1;
  let h = Math.imul(n, 0x9e3779b1);
  if (n > 0) {
    h = Math.imul(h ^ buf[pos]!, 0x01000193);
    h = Math.imul(h ^ buf[last]!, 0x01000193);
    h = Math.imul(h ^ buf[pos + (n >> 1)]!, 0x01000193);
    h = Math.imul(h ^ buf[pos + (n >> 2)]!, 0x01000193);
    h = Math.imul(h ^ buf[last - (n >> 2)]!, 0x01000193);
  }
  // Two slots per hash, so two hot strings that collide do not keep evicting each other.
  const slot = (h ^ (h >>> 15)) & (STRING_SLOTS - 2);
  const first = recentStrings[slot];
  if (first !== undefined && sameAscii(first, buf, pos, n)) return first;
  const second = recentStrings[slot + 1];
  if (second !== undefined && sameAscii(second, buf, pos, n)) return second;
  for (let i = pos; i <= last; i++) if (buf[i]! >= 0x80) return undefined;
  const s = buf.toString('latin1', pos, pos + n);
  recentStrings[slot + 1] = first;
  recentStrings[slot] = s;
  return s;
}

/** Whether cached `s` (ASCII) is the `n` bytes at `pos`. */
function sameAscii(s: string, buf: Buffer, pos: number, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== buf[pos + i]) return false;
  return true;
}

const LOCAL_DATE_TIME_HANDLE = 'com.alibaba.com.caucho.hessian.io.java8.LocalDateTimeHandle';

export class HessianDecoder {
  private pos: number;
  private readonly refs: unknown[] = [];
  private readonly classes: ClassDef[] = [];
  private readonly types: string[] = [];

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get position(): number {
    return this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  read(): unknown {
    const code = this.byte();
    if (code <= 0x1f) return this.utf8(code);
    if (code <= 0x2f) return this.bytes(code - 0x20);
    if (code <= 0x33) return this.utf8(((code - 0x30) << 8) | this.byte());
    if (code <= 0x37) return this.bytes(((code - 0x34) << 8) | this.byte());
    if (code <= 0x3f) return this.long(((code - 0x3c) << 16) + (this.byte() << 8) + this.byte());
    if (code >= 0x80 && code <= 0xbf) return code - 0x90;
    if (code >= 0xc0 && code <= 0xcf) return ((code - 0xc8) << 8) + this.byte();
    if (code >= 0xd0 && code <= 0xd7) return ((code - 0xd4) << 16) + (this.byte() << 8) + this.byte();
    if (code >= 0xd8 && code <= 0xef) return code - 0xe0;
    if (code >= 0xf0) return ((code - 0xf8) << 8) + this.byte();
    if (code >= 0x60 && code <= 0x6f) return this.instance(code - 0x60);
    if (code >= 0x70 && code <= 0x77) return this.list(this.type(), code - 0x70);
    if (code >= 0x78 && code <= 0x7f) return this.list(undefined, code - 0x78);
    return this.readTagged(code);
  }

  /** A value that must be a string (the request body's header fields). */
  readString(what: string): string {
    const v = this.read();
    if (typeof v !== 'string') throw new DubboCodecError(`expected a string for ${what}, got ${typeof v}`);
    return v;
  }

  private readTagged(code: number): unknown {
    switch (code) {
      case 0x4e: // N
        return null;
      case 0x54: // T
        return true;
      case 0x46: // F
        return false;
      case 0x49: // I
        return this.int32();
      case 0x59: // long encoded as int32
        return this.int32();
      case 0x4c: // L
        return this.long64();
      case 0x44: // D
        this.need(8);
        return this.fixed(8, this.buf.readDoubleBE(this.pos));
      case 0x5b:
        return 0;
      case 0x5c:
        return 1;
      case 0x5d:
        this.need(1);
        return this.fixed(1, this.buf.readInt8(this.pos));
      case 0x5e:
        this.need(2);
        return this.fixed(2, this.buf.readInt16BE(this.pos));
      case 0x5f: // Java Hessian's "double mill": an int32 of thousandths
        return this.int32() * 0.001;
      case 0x4a: // J: ms since epoch
        return new Date(Number(this.long64()));
      case 0x4b: // K: minutes since epoch
        return new Date(this.int32() * 60_000);
      case 0x52: // R: non-final string chunk
      case 0x53: // S: final string chunk
        return this.stringChunks(code);
      case 0x41: // A: non-final binary chunk
      case 0x42: // B: final binary chunk
        return this.binaryChunks(code);
      case 0x43: // C: class definition, then the value that uses it
        this.classDef();
        return this.read();
      case 0x4f: // O
        return this.instance(this.intValue());
      case 0x48: // H: untyped map
        return this.map(undefined);
      case 0x4d: // M: typed map
        return this.map(this.type());
      case 0x55: // typed variable-length list
        return this.list(this.type(), -1);
      case 0x56: // typed fixed-length list
        return this.list(this.type(), this.intValue());
      case 0x57: // untyped variable-length list
        return this.list(undefined, -1);
      case 0x58: // untyped fixed-length list
        return this.list(undefined, this.intValue());
      case 0x51: {
        // Q: back-reference
        const i = this.intValue();
        if (i < 0 || i >= this.refs.length)
          throw new DubboCodecError(`ref ${i} points past ${this.refs.length} values`);
        return this.refs[i];
      }
      default:
        throw new DubboCodecError(`unknown Hessian 2 code 0x${code.toString(16)} at offset ${this.pos - 1}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw new DubboCodecError(`Hessian value truncated at offset ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  /** Throws unless `n` more bytes are there. */
  private need(n: number): void {
    if (this.pos + n > this.end) throw new DubboCodecError(`Hessian value truncated at offset ${this.pos}`);
  }

  /** `v`, read at the current position, after stepping over its `n` bytes. */
  private fixed<T>(n: number, v: T): T {
    this.pos += n;
    return v;
  }

  private int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  private long64(): number | bigint {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    // Within ±2^53 a long is exact as a number: skip the BigInt.
    if (hi > -0x200000 && hi < 0x200000) return hi * 0x100000000 + lo;
    return this.long((BigInt(hi) << 32n) | BigInt(lo));
  }

  private long(v: number | bigint): number | bigint {
    if (typeof v === 'number') return v;
    return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }

  private intValue(): number {
    const v = this.read();
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new DubboCodecError('expected an int length or index');
    return v;
  }

  /** `units` UTF-16 code units, each written by Java as 1-3 bytes (surrogates separately). */
  private utf8(units: number): string {
    if (units <= SHORT_STRING && this.pos + units <= this.end) {
      const s = shortAscii(this.buf, this.pos, units);
      if (s !== undefined) {
        this.pos += units;
        return s;
      }
    }
    let ascii = true;
    for (let i = this.pos; i < this.pos + units && i < this.end; i++) if (this.buf[i]! >= 0x80) ascii = false;
    if (ascii) {
      this.need(units);
      return this.fixed(units, this.buf.toString('latin1', this.pos, this.pos + units));
    }
    let s = '';
    const codes: number[] = [];
    for (let i = 0; i < units; i++) {
      const b = this.byte();
      if (b < 0x80) codes.push(b);
      else if ((b & 0xe0) === 0xc0) codes.push(((b & 0x1f) << 6) | (this.byte() & 0x3f));
      else if ((b & 0xf0) === 0xe0)
        codes.push(((b & 0x0f) << 12) | ((this.byte() & 0x3f) << 6) | (this.byte() & 0x3f));
      else if ((b & 0xf8) === 0xf0) {
        // 4-byte UTF-8 (written by non-Java encoders): one code point, two UTF-16 units
        const cp =
          ((b & 0x07) << 18) |
          ((this.byte() & 0x3f) << 12) |
          ((this.byte() & 0x3f) << 6) |
          (this.byte() & 0x3f);
        codes.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
        i++;
      } else throw new DubboCodecError(`invalid UTF-8 byte 0x${b.toString(16)} in a string`);
      if (codes.length > 4096) {
        s += String.fromCharCode(...codes);
        codes.length = 0;
      }
    }
    return s + String.fromCharCode(...codes);
  }

  private stringChunks(code: number): string {
    let s = '';
    for (let c = code; ; c = this.byte()) {
      if (c <= 0x1f) return s + this.utf8(c);
      if (c >= 0x30 && c <= 0x33) return s + this.utf8(((c - 0x30) << 8) | this.byte());
      if (c !== 0x52 && c !== 0x53) throw new DubboCodecError(`bad string chunk code 0x${c.toString(16)}`);
      s += this.utf8((this.byte() << 8) | this.byte());
      if (c === 0x53) return s;
    }
  }

  private bytes(n: number): Buffer {
    this.need(n);
    return this.fixed(n, Buffer.from(this.buf.subarray(this.pos, this.pos + n)));
  }

  private binaryChunks(code: number): Buffer {
    const parts: Buffer[] = [];
    for (let c = code; ; c = this.byte()) {
      if (c >= 0x20 && c <= 0x2f) return Buffer.concat([...parts, this.bytes(c - 0x20)]);
      if (c >= 0x34 && c <= 0x37)
        return Buffer.concat([...parts, this.bytes(((c - 0x34) << 8) | this.byte())]);
      if (c !== 0x41 && c !== 0x42) throw new DubboCodecError(`bad binary chunk code 0x${c.toString(16)}`);
      parts.push(this.bytes((this.byte() << 8) | this.byte()));
      if (c === 0x42) return Buffer.concat(parts);
    }
  }

  /** A type is a string the first time and an index into the types seen so far after that. */
  private type(): string {
    const v = this.read();
    if (typeof v === 'string') {
      this.types.push(v);
      return v;
    }
    if (typeof v === 'number' && v >= 0 && v < this.types.length) return this.types[v]!;
    throw new DubboCodecError(`bad type reference ${String(v)}`);
  }

  private classDef(): void {
    const name = this.readString('a class name');
    const n = this.intValue();
    const fields: string[] = [];
    for (let i = 0; i < n; i++) fields.push(this.readString(`field ${i} of ${name}`));
    const special =
      name === 'java.math.BigDecimal' ||
      name === LOCAL_DATE_TIME_HANDLE ||
      (fields.includes('detailMessage') && fields.includes('stackTrace'));
    this.classes.push({ name, fields, proto: protoOf(name), special });
  }

  private list(type: string | undefined, length: number): unknown[] | Set<unknown> | Buffer {
    const items: unknown[] = [];
    const slot = this.refs.push(items) - 1;
    if (length >= 0) for (let i = 0; i < length; i++) items.push(this.read());
    else while (this.peek() !== 0x5a) items.push(this.read());
    if (length < 0) this.pos++;
    if (type !== undefined && isSetType(type)) {
      const set = new Set(items);
      this.refs[slot] = set;
      return set;
    }
    return items;
  }

  private peek(): number {
    if (this.pos >= this.end) throw new DubboCodecError(`Hessian value truncated at offset ${this.pos}`);
    return this.buf[this.pos]!;
  }

  private map(_type: string | undefined): Map<unknown, unknown> {
    const map = new Map<unknown, unknown>();
    this.refs.push(map);
    while (this.peek() !== 0x5a) map.set(this.read(), this.read());
    this.pos++;
    return map;
  }

  private instance(ref: number): unknown {
    const def = this.classes[ref];
    if (!def)
      throw new DubboCodecError(`object refers to class definition ${ref}, only ${this.classes.length} seen`);
    const obj = Object.create(def.proto) as Record<string, unknown>;
    const slot = this.refs.push(obj) - 1;
    for (const f of def.fields) obj[f] = this.read();
    if (!def.special) return obj;
    const special = this.special(def, obj);
    if (special !== obj) this.refs[slot] = special;
    return special;
  }

  /** Classes Java Hessian writes as objects that JavaScript has its own value for. */
  private special(def: ClassDef, obj: Record<string, unknown>): unknown {
    if (def.name === 'java.math.BigDecimal' && typeof obj.value === 'string')
      return new BigDecimal(obj.value);
    if (def.name === LOCAL_DATE_TIME_HANDLE) {
      const d = (obj.date ?? {}) as Record<string, number>;
      const t = (obj.time ?? {}) as Record<string, number>;
      return new LocalDateTime(d.year ?? 0, d.month ?? 1, d.day ?? 1, t.hour, t.minute, t.second, t.nano);
    }
    if (def.fields.includes('detailMessage') && def.fields.includes('stackTrace')) {
      const cause = obj.cause instanceof JavaThrowable ? obj.cause : undefined;
      const message = typeof obj.detailMessage === 'string' ? obj.detailMessage : null;
      return new JavaThrowable(def.name, message, cause);
    }
    return obj;
  }
}

/** Every value in `buf[start, end)` in order. */
export function decodeAll(buf: Buffer, start = 0, end = buf.length): unknown[] {
  const d = new HessianDecoder(buf, start, end);
  const out: unknown[] = [];
  while (!d.atEnd) out.push(d.read());
  return out;
}
