/**
 * Declared Java types of Dubbo methods: the JVM descriptor Dubbo sends with each request
 * (`java.lang.String` → `Ljava/lang/String;`, `long[]` → `[J`, generics erased), and the
 * conversion of JavaScript arguments and results to the Java types the peer declared, so a
 * `long` parameter goes out as a Hessian long even when the number is small, a
 * `List<Long>` as a list of longs, an `int[]` as a typed `[int` array and a POJO under its
 * class name. POJO fields and enums get their types from `defineJavaClass`.
 */
import { BadArgumentError } from './errors.js';
import { BigDecimal, JAVA_CLASS, javaEnum, javaObject } from './java-values.js';

export interface JavaType {
  name: string;
  args: JavaType[];
  /** Array dimensions: `int[][]` is int with 2. */
  dims: number;
}

const PRIMITIVE_DESCRIPTORS: Record<string, string> = {
  boolean: 'Z',
  byte: 'B',
  char: 'C',
  short: 'S',
  int: 'I',
  long: 'J',
  float: 'F',
  double: 'D',
  void: 'V',
};

const parsed = new Map<string, JavaType>();

/** Parses `java.util.Map<java.lang.String, java.util.List<java.lang.Long>>[]`. */
export function parseJavaType(type: string): JavaType {
  const hit = parsed.get(type);
  if (hit) return hit;
  let i = 0;
  const s = type.replace(/\s+/g, '');
  const one = (): JavaType => {
    const start = i;
    while (i < s.length && !'<>,['.includes(s[i]!)) i++;
    const name = s.slice(start, i);
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name))
      throw new BadArgumentError(`'${type}' is not a Java type (at '${name}')`, { type });
    const args: JavaType[] = [];
    if (s[i] === '<') {
      do {
        i++;
        args.push(one());
      } while (s[i] === ',');
      if (s[i++] !== '>') throw new BadArgumentError(`'${type}' has an unclosed '<'`, { type });
    }
    let dims = 0;
    while (s.startsWith('[]', i)) {
      dims++;
      i += 2;
    }
    return { name, args, dims };
  };
  const t = one();
  if (i !== s.length) throw new BadArgumentError(`'${type}' has trailing text '${s.slice(i)}'`, { type });
  parsed.set(type, t);
  return t;
}

/** The JVM descriptor of a declared type, generics erased. */
export function jvmDescriptor(type: string): string {
  const t = parseJavaType(type);
  const base = PRIMITIVE_DESCRIPTORS[t.name] ?? `L${t.name.replace(/\./g, '/')};`;
  return '['.repeat(t.dims) + base;
}

export function parameterTypesDesc(types: readonly string[]): string {
  return types.map(jvmDescriptor).join('');
}

/** Field types of a POJO, or the constants of an enum. */
export type JavaClassShape = { fields: Record<string, string> } | { enumOf: readonly string[] };

const classes = new Map<string, JavaClassShape>();

/** The shape `defineJavaClass` gave `className`, if any. */
export function javaClassShape(className: string): JavaClassShape | undefined {
  return classes.get(className);
}

/**
 * Declares a Java class the peer knows: a POJO's field types (in the Java class's field
 * names) or an enum's constants. Values of that declared type are then sent under the class
 * name with their fields converted; undeclared classes are still sent under their name with
 * their fields as they are.
 */
export function defineJavaClass(className: string, shape: JavaClassShape): void {
  classes.set(className, shape);
}

const HESSIAN_ARRAY_TYPES: Record<string, string> = {
  'java.lang.String': '[string',
  'java.lang.Object': '[object',
};

const INTS = new Set(['int', 'short', 'byte', 'java.lang.Integer', 'java.lang.Short', 'java.lang.Byte']);
const LONGS = new Set(['long', 'java.lang.Long']);
const DOUBLES = new Set(['double', 'float', 'java.lang.Double', 'java.lang.Float']);
const LISTS = new Set([
  'java.util.List',
  'java.util.ArrayList',
  'java.util.Collection',
  'java.util.LinkedList',
]);
const SETS = new Set(['java.util.Set', 'java.util.HashSet', 'java.util.LinkedHashSet', 'java.util.TreeSet']);
const MAPS = new Set(['java.util.Map', 'java.util.HashMap', 'java.util.LinkedHashMap', 'java.util.TreeMap']);

/** Which conversion toJava applies to a declared type without array dimensions. */
export type JavaTypeKind = 'long' | 'double' | 'int' | 'decimal' | 'list' | 'set' | 'map' | 'other';

export function javaTypeKind(name: string): JavaTypeKind {
  if (LONGS.has(name)) return 'long';
  if (DOUBLES.has(name)) return 'double';
  if (INTS.has(name)) return 'int';
  if (name === 'java.math.BigDecimal') return 'decimal';
  if (LISTS.has(name)) return 'list';
  if (SETS.has(name)) return 'set';
  if (MAPS.has(name)) return 'map';
  return 'other';
}

/** The Hessian type an array of `t` is written under (`[int`, `[string`, `[[long`...). */
export function hessianArrayType(t: JavaType): string {
  return t.dims > 1 ? `[${'['.repeat(t.dims - 1)}${t.name}` : (HESSIAN_ARRAY_TYPES[t.name] ?? `[${t.name}`);
}

/** Whether toJava sends `value` of declared class `name` as a POJO of that class. */
export function isPojoValue(name: string, value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !name.startsWith('java.') && !(value instanceof Date);
}

/** Converts `value` to what the encoder must write for a Java peer that declared `type`. */
export function toJava(type: string | JavaType, value: unknown): unknown {
  const t = typeof type === 'string' ? parseJavaType(type) : type;
  if (value === null || value === undefined) return null;
  if (t.dims > 0) return toJavaArray(t, value);
  const { name } = t;
  if (LONGS.has(name)) return { $class: 'long', $: asLong(value, name) };
  if (DOUBLES.has(name)) return { $class: 'double', $: Number(value) };
  if (INTS.has(name)) return { $class: 'int', $: asInt(value, name) };
  if (name === 'java.math.BigDecimal')
    return value instanceof BigDecimal
      ? value
      : new BigDecimal(typeof value === 'number' ? String(value) : (value as string));
  if (LISTS.has(name)) return [...asIterable(value, name)].map((x) => elem(t, 0, x));
  if (SETS.has(name)) return new Set([...asIterable(value, name)].map((x) => elem(t, 0, x)));
  if (MAPS.has(name)) return toJavaMap(t, value);
  const shape = classes.get(name);
  if (shape && 'enumOf' in shape) return toJavaEnum(name, shape.enumOf, value);
  if (isPojoValue(name, value)) {
    const fields = shape ? shape.fields : undefined;
    return toJavaObject(name, fields, value);
  }
  return value;
}

function elem(t: JavaType, i: number, x: unknown): unknown {
  const a = t.args[i];
  return a ? toJava(a, x) : x;
}

export function asLong(v: unknown, name: string): bigint | number {
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new BadArgumentError(`${String(v)} is not a whole number for a Java ${name}`, { value: String(v) });
}

export function asInt(v: unknown, name: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff) return n;
  throw new BadArgumentError(`${String(v)} does not fit a Java ${name}`, { value: String(v) });
}

export function asIterable(v: unknown, name: string): Iterable<unknown> {
  if (typeof v === 'object' && v !== null && Symbol.iterator in v) return v as Iterable<unknown>;
  throw new BadArgumentError(`a ${name} needs an array or another iterable, got ${typeof v}`);
}

function toJavaArray(t: JavaType, value: unknown): unknown {
  const inner: JavaType = { ...t, dims: t.dims - 1 };
  if (t.dims === 1 && t.name === 'byte') {
    if (value instanceof Uint8Array) return value;
    return Buffer.from([...asIterable(value, 'byte[]')] as number[]);
  }
  const items = [...asIterable(value, `${t.name}[]`)].map((x) => toJava(inner, x));
  return { $class: hessianArrayType(t), $: items };
}

function toJavaMap(t: JavaType, value: unknown): Map<unknown, unknown> {
  const entries: Iterable<[unknown, unknown]> =
    value instanceof Map ? value.entries() : Object.entries(value as Record<string, unknown>);
  const out = new Map<unknown, unknown>();
  for (const [k, v] of entries) out.set(elem(t, 0, k), elem(t, 1, v));
  return out;
}

function toJavaEnum(name: string, constants: readonly string[], value: unknown): unknown {
  return javaEnum(name, enumConstant(name, constants, value));
}

/** The constant `value` names (a string or an object with `name`), checked against the enum's. */
export function enumConstant(name: string, constants: readonly string[], value: unknown): string {
  const constant = typeof value === 'string' ? value : (value as { name?: unknown }).name;
  if (typeof constant !== 'string' || !constants.includes(constant))
    throw new BadArgumentError(
      `${JSON.stringify(value)} is not a constant of ${name} (${constants.join(', ')})`,
    );
  return constant;
}

function toJavaObject(
  name: string,
  fields: Record<string, string> | undefined,
  value: Record<string, unknown>,
) {
  if (!fields) return JAVA_CLASS in value ? value : javaObject(name, { ...value });
  const out: Record<string, unknown> = {};
  for (const [f, ft] of Object.entries(fields)) out[f] = toJava(ft, value[f]);
  return javaObject(name, out);
}
