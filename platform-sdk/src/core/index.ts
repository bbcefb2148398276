/**
 * core: what every capability shares — the error base class, the request context that
 * crosses every transport, and the lifecycle that starts components in order and stops them
 * in reverse. Capabilities import it through this file only.
 */
export { SilkError, isSilkError, type SilkErrorOptions } from './errors.js';
export {
  CONTEXT_KEYS,
  currentContext,
  currentXid,
  runWithContext,
  withContext,
  type SilkContext,
} from './context.js';
export { Lifecycle, type Component, type LifecycleEvent } from './lifecycle.js';
