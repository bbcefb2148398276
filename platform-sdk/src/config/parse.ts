/**
 * Parses a dataId's content by its type — YAML (multi-document, with Spring's profile
 * activation), `.properties` (Java's format) or JSON — into Spring property keys.
 * A parse failure throws ConfigInvalidError naming the dataId and the line, and changes nothing.
 */
import { parse as parseProperties } from 'dot-properties';
import { parseAllDocuments } from 'yaml';
import { ConfigInvalidError } from './errors.js';
import { flatten, type FlatConfig } from './flatten.js';

export type ConfigFormat = 'yaml' | 'properties' | 'json';

/** The format from a dataId's extension, Spring Cloud Alibaba's `file-extension` names. */
export function formatOf(dataIdOrExt: string): ConfigFormat | undefined {
  const ext = dataIdOrExt.includes('.') ? dataIdOrExt.slice(dataIdOrExt.lastIndexOf('.') + 1) : dataIdOrExt;
  switch (ext.toLowerCase()) {
    case 'yaml':
    case 'yml':
      return 'yaml';
    case 'properties':
      return 'properties';
    case 'json':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * Profiles a YAML document is restricted to, read the way Spring Boot reads them — nested or
 * as dotted keys alike, since both flatten to the same property key.
 */
function activationProfiles(flat: FlatConfig): string[] | undefined {
  const list = [...flat].filter(([k]) =>
    /^spring\.(config\.activate\.on-profile|profiles)(\[\d+\])?$/.test(k),
  );
  if (list.length === 0) return undefined;
  return list.flatMap(([, v]) => String(v as string).split(',')).map((p) => p.trim());
}

export function parseConfig(
  content: string,
  format: ConfigFormat,
  dataId: string,
  profiles: readonly string[] = [],
): FlatConfig {
  switch (format) {
    case 'properties':
      try {
        return new Map(Object.entries(parseProperties(content)));
      } catch (err) {
        throw new ConfigInvalidError(dataId, `not valid .properties: ${(err as Error).message}`, err);
      }
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch (err) {
        throw new ConfigInvalidError(dataId, `not valid JSON: ${(err as Error).message}`, err);
      }
      return flatten(value);
    }
    case 'yaml': {
      const docs = parseAllDocuments(content);
      const merged: FlatConfig = new Map();
      for (const doc of Array.isArray(docs) ? docs : [docs]) {
        const firstError = doc.errors[0];
        if (firstError) {
          const line = firstError.linePos?.[0].line;
          throw new ConfigInvalidError(
            dataId,
            `not valid YAML${line ? ` at line ${line}` : ''}: ${firstError.message.split('\n')[0]}`,
            firstError,
          );
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) continue;
        if (typeof value !== 'object' || Array.isArray(value)) {
          throw new ConfigInvalidError(dataId, 'YAML document is not a mapping of properties');
        }
        const flat = flatten(value);
        const only = activationProfiles(flat);
        if (only && !only.some((p) => profiles.includes(p))) continue;
        for (const [k, v] of flat) merged.set(k, v);
      }
      return merged;
    }
  }
}
