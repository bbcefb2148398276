/**
 * Writes a value as the Java type the peer declared straight into a HessianEncoder: the same
 * bytes as `encoder.write(toJava(type, value))`, without first building the converted copy
 * (typed wrappers per number, a tagged object per POJO and enum constant), which cost more
 * than the encoding itself on the call path. Sets and undeclared POJOs, rare on that path,
 * still go through toJava.
 */
import type { HessianEncoder } from './hessian-encoder.js';
import {
  asInt,
  asIterable,
  asLong,
  enumConstant,
  hessianArrayType,
  isPojoValue,
  javaClassShape,
  javaTypeKind,
  parseJavaType,
  toJava,
  type JavaClassShape,
  type JavaType,
  type JavaTypeKind,
} from './java-types.js';
import { BigDecimal } from './java-values.js';

/** What a declared type needs at write time, worked out once per type. */
interface TypePlan {
  kind: JavaTypeKind | 'array' | 'bytes';
  /** For arrays: the element type and the Hessian list type. */
  element?: JavaType;
  listType?: string;
}

const plans = new WeakMap<JavaType, TypePlan>();

function planOf(t: JavaType): TypePlan {
  let p = plans.get(t);
  if (!p) {
    if (t.dims === 0) p = { kind: javaTypeKind(t.name) };
    else if (t.dims === 1 && t.name === 'byte') p = { kind: 'bytes' };
    else p = { kind: 'array', element: { ...t, dims: t.dims - 1 }, listType: hessianArrayType(t) };
    plans.set(t, p);
  }
  return p;
}

/** A declared POJO's field names and types, in declaration order. */
interface PojoPlan {
  keys: string[];
  types: JavaType[];
}

const pojoPlans = new WeakMap<JavaClassShape, PojoPlan>();

function pojoPlanOf(shape: { fields: Record<string, string> }): PojoPlan {
  let p = pojoPlans.get(shape);
  if (!p) {
    // The order toJava's converted object has its keys in, so the order it is written in.
    const keys = Object.keys(shape.fields);
    p = { keys, types: keys.map((k) => parseJavaType(shape.fields[k]!)) };
    pojoPlans.set(shape, p);
  }
  return p;
}

const DECIMAL_KEYS = ['value'] as const;
const ENUM_KEYS = ['name'] as const;

export function writeJava(e: HessianEncoder, t: JavaType, v: unknown): void {
  if (v === null || v === undefined) return void e.write(null);
  const plan = planOf(t);
  switch (plan.kind) {
    case 'long':
      return e.writeLong(asLong(v, t.name));
    case 'double':
      return e.writeDouble(Number(v));
    case 'int':
      return e.writeInt(asInt(v, t.name));
    case 'decimal': {
      const d =
        v instanceof BigDecimal ? v : new BigDecimal(typeof v === 'number' ? String(v) : (v as string));
      e.writeObjectStart('java.math.BigDecimal', DECIMAL_KEYS);
      return e.writeString(d.value);
    }
    case 'bytes':
      return void e.write(
        v instanceof Uint8Array ? v : Buffer.from([...asIterable(v, 'byte[]')] as number[]),
      );
    case 'array':
      return writeItems(e, plan.listType, plan.element, v, `${t.name}[]`);
    case 'list':
      return writeItems(e, undefined, t.args[0], v, t.name);
    case 'map':
      return writeMap(e, t, v);
    case 'set':
      return void e.write(toJava(t, v));
    case 'other':
      return writeOther(e, t, v);
  }
}

function writeItems(
  e: HessianEncoder,
  listType: string | undefined,
  element: JavaType | undefined,
  v: unknown,
  what: string,
): void {
  const items = Array.isArray(v) ? (v as unknown[]) : [...asIterable(v, what)];
  e.enter();
  e.writeListHeader(items.length, listType);
  for (const x of items) writeElement(e, element, x);
  e.leave();
}

function writeElement(e: HessianEncoder, t: JavaType | undefined, x: unknown): void {
  if (t) writeJava(e, t, x);
  else e.write(x);
}

function writeMap(e: HessianEncoder, t: JavaType, v: unknown): void {
  const entries: Iterable<[unknown, unknown]> =
    v instanceof Map ? v.entries() : Object.entries(v as Record<string, unknown>);
  e.enter();
  e.writeMapStart();
  for (const [k, val] of entries) {
    writeElement(e, t.args[0], k);
    writeElement(e, t.args[1], val);
  }
  e.writeMapEnd();
  e.leave();
}

function writeOther(e: HessianEncoder, t: JavaType, v: unknown): void {
  const shape = javaClassShape(t.name);
  if (shape && 'enumOf' in shape) {
    e.writeObjectStart(t.name, ENUM_KEYS);
    return e.writeString(enumConstant(t.name, shape.enumOf, v));
  }
  if (!isPojoValue(t.name, v)) return void e.write(v);
  if (!shape) return void e.write(toJava(t, v));
  const plan = pojoPlanOf(shape);
  e.enter();
  e.writeObjectStart(t.name, plan.keys);
  for (let i = 0; i < plan.keys.length; i++) writeJava(e, plan.types[i]!, v[plan.keys[i]!]);
  e.leave();
}
