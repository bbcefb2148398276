/**
 * The one error base class of Silk. Every error a user can see carries a stable `code`
 * (SILK_<CAPABILITY>_<WHAT>), says what failed with which input and what to do, and marks
 * whether retrying can help. Capabilities keep their own catalogue in their `errors.ts`.
 */

// A registry-wide brand, so `isSilkError` holds even when two copies of the SDK are installed
// (the `instanceof` trap undici avoids the same way).
const kSilkError = Symbol.for('silk.error');

export interface SilkErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** HTTP status an adapter should answer with, where one applies. */
  statusCode?: number;
  /** Structured facts about the failure (the input that failed, limits, ids). */
  details?: Record<string, unknown>;
}

export class SilkError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: SilkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.statusCode = options.statusCode;
    this.details = options.details ?? {};
    Object.defineProperty(this, kSilkError, { value: true });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export function isSilkError(err: unknown): err is SilkError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kSilkError] === true;
}
