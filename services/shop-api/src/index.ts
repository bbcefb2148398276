/**
 * @silk/shop-api: what the demo estate's services share — the Dubbo contracts and the order
 * event (contracts.ts), the config keys every shop service reads (config.ts), and
 * `runShopService`, which starts one with its database, Redis, transaction client and Dubbo.
 */
export * from './contracts.js';
export { parseJdbcUrl, shopBaseSchema, type JdbcTarget, type ShopBaseConfig } from './config.js';
export { readCache } from './read-cache.js';
export { runShopService, type ShopParts, type ShopRuntime, type ShopServiceOptions } from './runtime.js';
