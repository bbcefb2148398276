/**
 * http: calling other services by name (`http://<service>/path`) through discovery, with
 * load balancing, timeouts and retry on connection failure — what OpenFeign with Spring
 * Cloud LoadBalancer gives a Java service. Discovery is a port; `nacos/` implements it.
 */
export {
  ServiceClient,
  type CallOptions,
  type CallResult,
  type InstanceChooser,
  type ServiceClientOptions,
} from './service-client.js';
export {
  BadServiceUrlError,
  CallTimeoutError,
  ConnectFailedError,
  HTTP_ERROR_CODES,
  NoInstanceError,
} from './errors.js';
