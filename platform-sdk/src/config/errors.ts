/**
 * Errors of the config capability. A config error never replaces a good config: the last
 * good one stays in force and the error is reported (log, health).
 */
import { SilkError } from '../core/index.js';

export const CONFIG_ERROR_CODES = {
  invalid: 'SILK_CONFIG_INVALID',
  placeholder: 'SILK_CONFIG_PLACEHOLDER_UNRESOLVED',
  unavailable: 'SILK_CONFIG_UNAVAILABLE',
} as const;

/** Content that does not parse or does not satisfy the service's schema. */
export class ConfigInvalidError extends SilkError {
  constructor(
    readonly dataId: string,
    reason: string,
    cause?: unknown,
  ) {
    super(
      CONFIG_ERROR_CODES.invalid,
      `config ${dataId} is invalid: ${reason}; the last good config stays in force`,
      {
        cause,
        details: { dataId, reason },
      },
    );
  }
}

/** A `${key}` with no value and no default, or a cycle of placeholders. */
export class PlaceholderError extends SilkError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(CONFIG_ERROR_CODES.placeholder, `cannot resolve placeholder in '${key}': ${reason}`, {
      details: { key, reason },
    });
  }
}

/** No config could be had: Nacos unreachable and no local snapshot. */
export class ConfigUnavailableError extends SilkError {
  constructor(dataId: string, cause?: unknown) {
    super(
      CONFIG_ERROR_CODES.unavailable,
      `config ${dataId} could not be read from Nacos and has no local snapshot; check the Nacos address and credentials`,
      { cause, retryable: true, details: { dataId } },
    );
  }
}
