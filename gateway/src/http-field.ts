/**
 * The HTTP/1.1 field grammar (RFC 9110 section 5), checked where the gateway reads a request
 * head itself (front/request-head.ts) and where it writes heads without Node's checks
 * (front/raw-response.ts towards the client, proxy/forward-h1.ts towards the upstream): a field
 * with a CR or LF in it would split the head and smuggle a second message.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Controls but HTAB, and DEL; obs-text (0x80-0xff) is allowed, as Node allows it (latin1).
const BAD_VALUE_CHAR = /[^\t\u0020-\u007e\u0080-\u00ff]/;

/** A field name: a non-empty token. */
export function isFieldName(name: string): boolean {
  return TOKEN.test(name);
}

/** A field value Node would send or accept as is. */
export function isFieldValue(value: string): boolean {
  return !BAD_VALUE_CHAR.test(value);
}
