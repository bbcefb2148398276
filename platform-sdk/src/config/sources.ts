/**
 * Which dataIds a service reads, and in which precedence, by Spring Cloud Alibaba's rules
 * (spring.cloud.nacos.config.*): shared configs first, then extension configs, then the
 * application's own `${prefix}`, `${prefix}.${ext}` and `${prefix}-${profile}.${ext}`; each
 * later one outranks the ones before it. Shared and extension entries refresh only when
 * asked to (`refresh` defaults to false); the application's own follow `refreshEnabled`.
 */
import { formatOf, type ConfigFormat } from './parse.js';

export const DEFAULT_GROUP = 'DEFAULT_GROUP';

export interface ConfigEntryRef {
  dataId: string;
  group?: string;
  refresh?: boolean;
}

export interface NacosConfigOptions {
  /** `spring.application.name`; the default prefix. */
  name: string;
  /** `spring.cloud.nacos.config.prefix`, else `.name`, else the application name. */
  prefix?: string;
  /** `file-extension`; SCA's default is `properties`. */
  fileExtension?: string;
  group?: string;
  /** Namespace id; '' or 'public' is the default namespace. */
  namespace?: string;
  profiles?: readonly string[];
  sharedConfigs?: readonly ConfigEntryRef[];
  extensionConfigs?: readonly ConfigEntryRef[];
  refreshEnabled?: boolean;
}

export interface ConfigSource {
  dataId: string;
  group: string;
  format: ConfigFormat;
  refresh: boolean;
  kind: 'shared' | 'extension' | 'application';
}

/** Sources lowest precedence first. */
export function configSources(opts: NacosConfigOptions): ConfigSource[] {
  const ext = opts.fileExtension ?? 'properties';
  const extFormat = formatOf(ext) ?? 'properties';
  const group = opts.group ?? DEFAULT_GROUP;
  const refreshApp = opts.refreshEnabled ?? true;
  const ref =
    (kind: 'shared' | 'extension') =>
    (e: ConfigEntryRef): ConfigSource => ({
      dataId: e.dataId,
      group: e.group ?? DEFAULT_GROUP,
      // A shared dataId is parsed by its own extension, else the service's file-extension.
      format: formatOf(e.dataId) ?? extFormat,
      refresh: e.refresh ?? false,
      kind,
    });
  const prefix = opts.prefix ?? opts.name;
  const app = (dataId: string): ConfigSource => ({
    dataId,
    group,
    format: extFormat,
    refresh: refreshApp,
    kind: 'application',
  });
  return [
    ...(opts.sharedConfigs ?? []).map(ref('shared')),
    ...(opts.extensionConfigs ?? []).map(ref('extension')),
    app(prefix),
    app(`${prefix}.${ext}`),
    ...(opts.profiles ?? []).map((p) => app(`${prefix}-${p}.${ext}`)),
  ];
}
