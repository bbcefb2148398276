/** Errors of the nacos capability. */
import { SilkError } from '../core/index.js';

export const NACOS_ERROR_CODES = {
  registration: 'SILK_NACOS_REGISTRATION_FAILED',
  auth: 'SILK_NACOS_AUTH_FAILED',
  configUnavailable: 'SILK_NACOS_CONFIG_UNAVAILABLE',
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

export class NacosAuthError extends SilkError {
  constructor(username: string, serverAddr: string, status: number, body: string) {
    super(
      NACOS_ERROR_CODES.auth,
      `Nacos at ${serverAddr} refused the login of user ${username} (HTTP ${status}: ${body.slice(0, 200)}); check spring.cloud.nacos.username and password`,
      { retryable: false, details: { username, serverAddr, status } },
    );
  }
}

/** A dataId could not be read from Nacos, and no local snapshot of it exists to serve instead. */
export class NacosConfigUnavailableError extends SilkError {
  constructor(dataId: string, group: string, serverAddr: string, cause: unknown) {
    super(
      NACOS_ERROR_CODES.configUnavailable,
      `could not read config ${group}/${dataId} from Nacos at ${serverAddr} and there is no local snapshot of it: ${(cause as Error)?.message ?? String(cause)}; check that Nacos is reachable and the namespace exists`,
      { cause, retryable: true, details: { dataId, group, serverAddr } },
    );
  }
}
