/**
 * Spring's view of configuration: every source is a flat map of property keys
 * (`spring.application.name`, `servers[0].host`), merged key by key in precedence order, then
 * bound to a typed object. We keep the same model so a dataId shared with Java services
 * means the same thing to both.
 */
export type FlatConfig = Map<string, unknown>;

/** Flattens nested objects and arrays into Spring property keys. Empty objects and arrays are kept as leaves. */
export function flatten(value: unknown, prefix = '', out: FlatConfig = new Map()): FlatConfig {
  if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out.set(prefix, []);
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c']. */
export function keyPath(key: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const m of key.matchAll(SEGMENT)) path.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return path;
}

/** Rebuilds the nested object from property keys (the inverse of `flatten`). */
export function unflatten(flat: FlatConfig): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of flat) {
    const path = keyPath(key);
    let node: Record<string | number, unknown> = root;
    path.forEach((seg, i) => {
      if (i === path.length - 1) {
        node[seg] = value;
        return;
      }
      const nextIsIndex = typeof path[i + 1] === 'number';
      const existing = node[seg];
      if (typeof existing !== 'object' || existing === null) node[seg] = nextIsIndex ? [] : {};
      node = node[seg] as Record<string | number, unknown>;
    });
  }
  return root;
}

/** The list a key belongs to (`a.b` for `a.b[2].c`), or undefined when it is not in a list. */
function listRoot(key: string): string | undefined {
  const i = key.indexOf('[');
  return i < 0 ? undefined : key.slice(0, i);
}

/**
 * Merges sources given lowest precedence first. As in Spring Boot, a list defined by a
 * higher source replaces the lower sources' list whole instead of merging element by element.
 */
export function mergeFlat(sources: readonly FlatConfig[]): FlatConfig {
  const merged: FlatConfig = new Map();
  for (const source of sources) {
    const lists = new Set<string>();
    for (const key of source.keys()) {
      const root = listRoot(key);
      if (root !== undefined) lists.add(root);
    }
    for (const key of [...merged.keys()]) {
      const root = listRoot(key);
      if (root !== undefined && lists.has(root)) merged.delete(key);
    }
    for (const [k, v] of source) merged.set(k, v);
  }
  return merged;
}
