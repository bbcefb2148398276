/**
 * The folder shape of Nacos content in this repository:
 *
 *   nacos-config/<namespaceId>/<group>/<dataId>
 *
 * `public` is Nacos' default namespace (sent as an empty tenant, as the Java client does).
 * The config type the console shows (yaml, properties, json, text, xml, html) follows the
 * dataId's extension, the way Spring Cloud Alibaba picks the parser from `file-extension`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export const PUBLIC_NAMESPACE = 'public';

export interface ConfigEntry {
  namespace: string;
  group: string;
  dataId: string;
  type: string;
  content: string;
  /** Where it came from, for reports. */
  file: string;
}

const TYPES: Record<string, string> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.properties': 'properties',
  '.json': 'json',
  '.xml': 'xml',
  '.html': 'html',
  '.txt': 'text',
};

export function configType(dataId: string): string {
  return TYPES[extname(dataId).toLowerCase()] ?? 'text';
}

/** Nacos accepts these in dataId and group; anything else the server would refuse. */
const VALID_NAME = /^[a-zA-Z0-9_.:-]+$/;

function dirs(path: string): string[] {
  return readdirSync(path).filter((n) => !n.startsWith('.') && statSync(join(path, n)).isDirectory());
}

/** Reads every dataId under `root`; throws naming the file when a name Nacos would refuse. */
export function readLayout(root: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (const namespace of dirs(root).filter((d) => d !== 'src' && d !== 'node_modules')) {
    for (const group of dirs(join(root, namespace))) {
      for (const dataId of readdirSync(join(root, namespace, group))) {
        const file = join(root, namespace, group, dataId);
        if (dataId.startsWith('.') || !statSync(file).isFile()) continue;
        for (const [what, name] of [
          ['namespace', namespace],
          ['group', group],
          ['dataId', dataId],
        ] as const) {
          if (!VALID_NAME.test(name)) {
            throw new Error(
              `${file}: ${what} '${name}' has characters Nacos refuses (allowed: a-z A-Z 0-9 _ . : -)`,
            );
          }
        }
        entries.push({
          namespace,
          group,
          dataId,
          type: configType(dataId),
          content: readFileSync(file, 'utf8'),
          file,
        });
      }
    }
  }
  return entries.sort((a, b) => a.file.localeCompare(b.file));
}
