/**
 * How Java values look in JavaScript, in both directions of the Hessian 2 codec:
 *
 * | Java | JavaScript |
 * | --- | --- |
 * | int, short, byte, double, float | number |
 * | long | number when within ±2^53, else bigint (a bigint is always written as a long) |
 * | boolean, String, null | boolean, string, null |
 * | java.util.Date | Date |
 * | java.math.BigDecimal | BigDecimal (the decimal string, no float rounding) |
 * | java.time.LocalDateTime | LocalDateTime (fields as Java has them) |
 * | List, arrays | Array (byte[] is a Buffer) |
 * | Set | Set |
 * | Map | Map (keys of any type) |
 * | a POJO or an enum | a plain object of its fields, tagged with its class (`javaClassOf`) |
 * | a Throwable | JavaThrowable (class, message, cause) |
 */

/** The Java class of a decoded POJO or enum; not enumerable, so it never shows up as a field. */
export const JAVA_CLASS = Symbol.for('silk.dubbo.javaClass');

export type JavaObject = Record<string, unknown> & { readonly [JAVA_CLASS]: string };

/** A POJO (or enum constant) to send: `fields` tagged with the Java class the peer loads. */
export function javaObject<T extends Record<string, unknown>>(className: string, fields: T): T & JavaObject {
  Object.defineProperty(fields, JAVA_CLASS, { value: className, enumerable: false });
  return fields as T & JavaObject;
}

/** Hessian writes an enum constant as an object of its class with the one field `name`. */
export function javaEnum(className: string, name: string): JavaObject {
  return javaObject(className, { name });
}

export function javaClassOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Partial<JavaObject>)[JAVA_CLASS];
}

export class BigDecimal {
  constructor(readonly value: string) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value))
      throw new TypeError(`'${value}' is not a decimal number a java.math.BigDecimal can hold`);
  }
  toString(): string {
    return this.value;
  }
}

/** java.time.LocalDateTime: a wall-clock date-time without a zone, as Java keeps it. */
export class LocalDateTime {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour = 0,
    readonly minute = 0,
    readonly second = 0,
    readonly nano = 0,
  ) {}

  /** ISO-8601 as Java's LocalDateTime.toString() prints it (seconds always shown). */
  toString(): string {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const frac = this.nano === 0 ? '' : `.${p(this.nano, 9).replace(/0+$/, '')}`;
    return `${p(this.year, 4)}-${p(this.month)}-${p(this.day)}T${p(this.hour)}:${p(this.minute)}:${p(this.second)}${frac}`;
  }
}

/**
 * A Java exception: decoded from a provider's answer, or thrown by a Silk handler to make
 * the Java consumer see this class and message.
 */
export class JavaThrowable extends Error {
  constructor(
    readonly javaClass: string,
    readonly javaMessage: string | null,
    override readonly cause?: JavaThrowable,
  ) {
    super(javaMessage ?? '', cause ? { cause } : undefined);
    this.name = javaClass;
  }
}
