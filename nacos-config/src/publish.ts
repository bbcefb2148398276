/**
 * Publishes a folder of Nacos content idempotently: a dataId whose stored content already
 * equals the file is left alone, so pushing twice changes nothing and listeners stay quiet.
 */
import { PUBLIC_NAMESPACE, readLayout, type ConfigEntry } from './layout.js';
import type { NacosAdmin } from './nacos-admin.js';

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface PushResult {
  entry: ConfigEntry;
  outcome: Outcome;
}

export function tenantOf(namespace: string): string {
  return namespace === PUBLIC_NAMESPACE ? '' : namespace;
}

export async function publishLayout(
  admin: NacosAdmin,
  root: string,
  opts: { dryRun?: boolean } = {},
): Promise<PushResult[]> {
  const entries = readLayout(root);
  const results: PushResult[] = [];
  const namespaces = new Set(entries.map((e) => e.namespace).filter((n) => n !== PUBLIC_NAMESPACE));
  if (!opts.dryRun) for (const ns of namespaces) await admin.ensureNamespace(ns);
  for (const entry of entries) {
    const tenant = tenantOf(entry.namespace);
    const current = await admin.getConfig(tenant, entry.group, entry.dataId);
    const outcome: Outcome =
      current === undefined ? 'created' : current === entry.content ? 'unchanged' : 'updated';
    if (outcome !== 'unchanged' && !opts.dryRun) {
      await admin.publishConfig(tenant, entry.group, entry.dataId, entry.content, entry.type);
    }
    results.push({ entry, outcome });
  }
  return results;
}
