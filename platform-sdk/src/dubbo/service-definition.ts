/**
 * A Dubbo service as both sides see it: the Java interface name, version and group, and each
 * method's declared Java parameter and return types. Overloads are not supported: Dubbo
 * interfaces used across languages keep one method per name.
 */
import { parameterTypesDesc, parseJavaType, type JavaType } from './java-types.js';

export interface DubboMethodDefinition {
  /** Declared Java types, e.g. `['java.lang.String', 'long', 'java.util.List<com.foo.Item>']`. */
  parameterTypes: readonly string[];
  /** Declared return type; results are converted to it (a `long` result goes out as a long). */
  returnType?: string;
}

export interface DubboServiceDefinition {
  interface: string;
  version?: string;
  group?: string;
  methods: Record<string, DubboMethodDefinition>;
}

export interface ResolvedMethod extends DubboMethodDefinition {
  name: string;
  desc: string;
  /** parameterTypes and returnType parsed once, for writing values as those types. */
  parameterJavaTypes: JavaType[];
  returnJavaType: JavaType | undefined;
}

export function resolveMethods(def: DubboServiceDefinition): Map<string, ResolvedMethod> {
  const out = new Map<string, ResolvedMethod>();
  for (const [name, m] of Object.entries(def.methods))
    out.set(name, {
      ...m,
      name,
      desc: parameterTypesDesc(m.parameterTypes),
      parameterJavaTypes: m.parameterTypes.map((t) => parseJavaType(t)),
      returnJavaType: m.returnType ? parseJavaType(m.returnType) : undefined,
    });
  return out;
}

/** Dubbo's service key, `group/interface:version` with empty parts left out (URL.getServiceKey). */
export function serviceKey(iface: string, version = '', group = ''): string {
  return `${group ? `${group}/` : ''}${iface}${version ? `:${version}` : ''}`;
}
