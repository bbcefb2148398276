/**
 * The v1 config long-poll wire format, as Nacos' ConfigController and LongPollingService read
 * and write it (api/.../common/Constants.java: WORD_SEPARATOR = char 2, LINE_SEPARATOR = char 1):
 *
 *   request  `Listening-Configs` = dataId␂group␂md5␁ … or dataId␂group␂md5␂tenant␁ …
 *   response URL-encoded dataId␂group␁ … or dataId␂group␂tenant␁ … (empty: nothing changed)
 *
 * md5 is the hex MD5 of the content held (UTF-8), empty when none is held, the same digest the
 * server keeps per dataId, so an unchanged dataId is never reported.
 */
import { createHash } from 'node:crypto';

export const WORD_SEPARATOR = '\u0002';
export const LINE_SEPARATOR = '\u0001';

/** One followed dataId: where it lives and the digest of what the client holds. */
export interface ListenKey {
  dataId: string;
  group: string;
  /** Namespace id; '' for the default namespace. */
  tenant: string;
}

/** `dataId+group+tenant` as the Java client's GroupKey spells it, unique per config. */
export function groupKey(k: ListenKey): string {
  return k.tenant ? `${k.dataId}+${k.group}+${k.tenant}` : `${k.dataId}+${k.group}`;
}

/** The digest Nacos compares with: '' for no content. */
export function contentMd5(content: string | undefined): string {
  return content === undefined ? '' : createHash('md5').update(content, 'utf8').digest('hex');
}

export function encodeListeningConfigs(keys: Iterable<ListenKey & { md5: string }>): string {
  let out = '';
  for (const k of keys) {
    out += k.dataId + WORD_SEPARATOR + k.group + WORD_SEPARATOR + k.md5;
    out += (k.tenant ? WORD_SEPARATOR + k.tenant : '') + LINE_SEPARATOR;
  }
  return out;
}

/** The changed keys a listener answer names; an empty or blank body names none. */
export function decodeChangedConfigs(body: string): ListenKey[] {
  const text = decodeURIComponent(body.trim());
  const out: ListenKey[] = [];
  for (const line of text.split(LINE_SEPARATOR)) {
    if (!line) continue;
    const [dataId, group, tenant = ''] = line.split(WORD_SEPARATOR);
    if (dataId && group) out.push({ dataId, group, tenant });
  }
  return out;
}
