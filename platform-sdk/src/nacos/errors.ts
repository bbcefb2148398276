/** Errors of the nacos capability. */
import { SilkError } from '../core/index.js';

export const NACOS_ERROR_CODES = {
  registration: 'SILK_NACOS_REGISTRATION_FAILED',
} as const;

export class NacosRegistrationError extends SilkError {
  constructor(service: string, address: string, serverAddr: string, cause: unknown) {
    super(
      NACOS_ERROR_CODES.registration,
      `could not register ${service} (${address}) in Nacos at ${serverAddr}: ${(cause as Error)?.message ?? String(cause)}; check the server address, namespace and credentials`,
      { cause, retryable: true, details: { service, address, serverAddr } },
    );
  }
}
