/**
 * core: what every capability shares — the error base class, and (as capabilities land) the
 * request context, the clock and lifecycle. Capabilities import it through this file only.
 */
export { SilkError, isSilkError, type SilkErrorOptions } from './errors.js';
