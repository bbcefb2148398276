/**
 * observability: traces, metrics, logs and health for a Silk service (being built).
 */
export {};
