/**
 * Constants of the dubbo protocol, named as in Apache Dubbo 3.3's ExchangeCodec, DubboCodec,
 * Response and Version so each can be checked against the Java source.
 */

/** ExchangeCodec: 16-byte header. */
export const HEADER_LENGTH = 16;
export const MAGIC = 0xdabb;
export const MAGIC_HIGH = 0xda;
export const MAGIC_LOW = 0xbb;
export const FLAG_REQUEST = 0x80;
export const FLAG_TWOWAY = 0x40;
export const FLAG_EVENT = 0x20;
export const SERIALIZATION_MASK = 0x1f;

/** Serialization content-type ids (Hessian2Serialization.getContentTypeId). */
export const HESSIAN2_SERIALIZATION_ID = 2;

/** remoting Constants.DEFAULT_PAYLOAD: 8 MiB. */
export const DEFAULT_PAYLOAD = 8 * 1024 * 1024;
/** remoting Constants.DEFAULT_HEARTBEAT: 60 s; a channel idle for 3 beats is closed. */
export const DEFAULT_HEARTBEAT = 60_000;
/** CommonConstants.DEFAULT_TIMEOUT and DEFAULT_RETRIES. */
export const DEFAULT_TIMEOUT = 1000;
export const DEFAULT_RETRIES = 2;

/** Version.DEFAULT_DUBBO_PROTOCOL_VERSION, written first in every request body. */
export const DUBBO_VERSION = '2.0.2';
/** The Java Dubbo release whose registration Silk mirrors (what Java providers put in `release`). */
export const DUBBO_RELEASE = '3.3.5';
/** Version.LOWEST_VERSION_FOR_RESPONSE_ATTACHMENT / HIGHEST_PROTOCOL_VERSION. */
export const LOWEST_VERSION_FOR_RESPONSE_ATTACHMENT = 2000200;
export const HIGHEST_PROTOCOL_VERSION = 2009900;

/** DubboCodec: the first value of a response body. */
export const RESPONSE_WITH_EXCEPTION = 0;
export const RESPONSE_VALUE = 1;
export const RESPONSE_NULL_VALUE = 2;
export const RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS = 3;
export const RESPONSE_VALUE_WITH_ATTACHMENTS = 4;
export const RESPONSE_NULL_VALUE_WITH_ATTACHMENTS = 5;

/** exchange.Response status codes. */
export const STATUS = {
  OK: 20,
  SERIALIZATION_ERROR: 25,
  CLIENT_TIMEOUT: 30,
  SERVER_TIMEOUT: 31,
  CHANNEL_INACTIVE: 35,
  BAD_REQUEST: 40,
  BAD_RESPONSE: 50,
  SERVICE_NOT_FOUND: 60,
  SERVICE_ERROR: 70,
  SERVER_ERROR: 80,
  CLIENT_ERROR: 90,
  SERVER_THREADPOOL_EXHAUSTED_ERROR: 100,
} as const;

export function statusName(status: number): string {
  return Object.entries(STATUS).find(([, v]) => v === status)?.[0] ?? `STATUS_${status}`;
}

/** Attachment keys (CommonConstants) Dubbo reads and writes. */
export const ATTACHMENT = {
  path: 'path',
  interface: 'interface',
  version: 'version',
  group: 'group',
  timeout: 'timeout',
  dubbo: 'dubbo',
  remoteApplication: 'remote.application',
} as const;

/** Version.getIntVersion for "2.0.2"-style protocol versions. */
export function intVersion(version: string): number {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  if (parts.some((p) => !Number.isFinite(p))) return 0;
  while (parts.length < 4) parts.push(0);
  return parts.slice(0, 4).reduce((acc, p) => acc * 100 + p, 0);
}

/** Version.isSupportResponseAttachment: whether a caller of this version reads response attachments. */
export function isSupportResponseAttachment(version: string | undefined): boolean {
  if (!version) return false;
  // Asked for every response; callers send a handful of distinct versions.
  let yes = responseAttachmentSupport.get(version);
  if (yes === undefined) {
    const v = intVersion(version);
    yes = v >= LOWEST_VERSION_FOR_RESPONSE_ATTACHMENT && v <= HIGHEST_PROTOCOL_VERSION;
    if (responseAttachmentSupport.size >= 100) responseAttachmentSupport.clear();
    responseAttachmentSupport.set(version, yes);
  }
  return yes;
}

const responseAttachmentSupport = new Map<string, boolean>();
