/**
 * W3C trace context across the gateway: an incoming `traceparent` keeps its trace id and gets
 * a new parent id (the gateway's own hop); without one, the gateway starts a trace. Sampled
 * flags pass through unchanged. Ids come from randomUUID, which Node fills from a cached
 * entropy pool, so the hot path makes no syscall.
 */
import { randomUUID } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// A UUID is 8-4-4-4-12 hex digits; the version nibble (index 14) is always 4 and the variant
// nibble (19) one of 8-b, so ids take the digits around them.
function hex(n: 16 | 32): string {
  const id = randomUUID();
  const a = id.slice(0, 8) + id.slice(9, 13) + id.slice(24, 28);
  return n === 16 ? a : a + id.slice(28, 36) + randomUUID().slice(0, 8);
}

export function nextTraceparent(incoming: string | undefined): string {
  const m = incoming === undefined ? null : TRACEPARENT.exec(incoming.trim());
  if (m !== null && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) return `00-${m[1]}-${hex(16)}-${m[3]}`;
  return `00-${hex(32)}-${hex(16)}-01`;
}
