/**
 * JWT bearer authentication with keys from the gateway's Nacos config (`silk.gateway.jwt`):
 * a JWKS (`jwks`, as JSON text or a map) and/or an HMAC `secret`, optional `issuer` and
 * `audience`, and `exclude-paths` (PathPatterns) that need no token. A valid token's `sub`
 * becomes the request's principal (the default rate-limit key); a missing, malformed, badly
 * signed or expired token is a 401 naming which of those it was. Verification is jose's.
 */
import { text } from './route/args.js';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { UnauthorizedError } from './errors.js';
import type { Exchange } from './exchange.js';
import { compilePathPattern, type CompiledPattern } from './route/path-pattern.js';

type Raw = Record<string, unknown>;

export class JwtAuthenticator {
  private constructor(
    private readonly key: JWTVerifyGetKey | Uint8Array,
    private readonly verifyOptions: JWTVerifyOptions,
    private readonly excluded: readonly CompiledPattern[],
  ) {}

  /** From `silk.gateway.jwt`; undefined when absent or `enabled: false`. Throws on unusable keys. */
  static parse(raw: unknown): JwtAuthenticator | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const r = raw as Raw;
    if (text(r.enabled ?? 'true') === 'false') return undefined;
    let key: JWTVerifyGetKey | Uint8Array;
    if (r.jwks !== undefined) {
      let jwks: unknown;
      try {
        jwks = typeof r.jwks === 'string' ? JSON.parse(r.jwks) : r.jwks;
        key = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      } catch (err) {
        throw new Error(`silk.gateway.jwt.jwks is not a JWK set: ${(err as Error).message}`, { cause: err });
      }
    } else if (typeof r.secret === 'string' && r.secret.length >= 32) {
      key = new TextEncoder().encode(r.secret);
    } else {
      throw new Error('silk.gateway.jwt needs jwks (a JWK set) or a secret of at least 32 characters');
    }
    const opts: JWTVerifyOptions = {};
    if (r.issuer !== undefined) opts.issuer = text(r.issuer);
    if (r.audience !== undefined) opts.audience = text(r.audience);
    if (r['clock-tolerance'] !== undefined) opts.clockTolerance = Number(r['clock-tolerance']);
    const exclude = r['exclude-paths'] ?? r.excludePaths ?? [];
    const patterns = (Array.isArray(exclude) ? exclude : text(exclude).split(',')).map((p) =>
      compilePathPattern(text(p).trim()),
    );
    return new JwtAuthenticator(key, opts, patterns);
  }

  /** Sets `ex.principal`, or throws UnauthorizedError. */
  async authenticate(ex: Exchange): Promise<void> {
    if (this.excluded.some((p) => p.match(ex.originalPath) !== undefined)) return;
    const header = ex.header('authorization');
    if (header === undefined) throw new UnauthorizedError('no Authorization header');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new UnauthorizedError('the Authorization header is not "Bearer <token>"');
    try {
      const { payload } =
        this.key instanceof Uint8Array
          ? await jwtVerify(m[1]!, this.key, this.verifyOptions)
          : await jwtVerify(m[1]!, this.key, this.verifyOptions);
      ex.principal = typeof payload.sub === 'string' ? payload.sub : undefined;
    } catch (err) {
      throw new UnauthorizedError(reasonOf(err), err);
    }
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim '${err.claim}' invalid (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no key in the JWK set matches the token';
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return 'malformed token';
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) return 'algorithm not accepted';
  return 'token rejected';
}
