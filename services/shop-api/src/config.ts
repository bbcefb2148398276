/**
 * The configuration every shop service reads, under the keys a Spring Boot service of the
 * estate uses for the same things (`spring.datasource.*`, `spring.data.redis.*`,
 * `dubbo.protocol.port`, rocketmq-v5-client-spring-boot's `rocketmq.*.endpoints`), so one
 * operator edits Java and Node services alike. Shared values live in `shop-shared.yaml`,
 * the rest in `<service>.yaml`.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

export const shopBaseSchema = z.object({
  spring: z.object({
    datasource: z.object({
      url: z.string().regex(/^jdbc:mysql:\/\/[^/]+:\d+\/\w+/, 'jdbc:mysql://host:port/database'),
      username: z.string(),
      password: z.string(),
      'maximum-pool-size': z.coerce.number().int().positive().default(8),
    }),
    data: z
      .object({
        redis: z.object({ host: z.string().default('127.0.0.1'), port: port.default(6379) }).prefault({}),
      })
      .prefault({}),
  }),
  rocketmq: z
    .object({
      producer: z.object({ endpoints: z.string().default('127.0.0.1:8081') }).prefault({}),
      'simple-consumer': z.object({ endpoints: z.string().default('127.0.0.1:8081') }).prefault({}),
    })
    .prefault({}),
  dubbo: z
    .object({
      protocol: z.object({ port: port.default(0) }).prefault({}),
      registry: z.object({ 'register-mode': z.enum(['interface', 'instance', 'all']).default('interface') }).prefault({}),
      /** Dubbo's provider `accesslog`: true logs each call, a path appends it to that file. */
      provider: z.object({ accesslog: z.union([z.boolean(), z.string()]).default(false) }).prefault({}),
    })
    .prefault({}),
  silk: z
    .object({
      /** The Nacos name the transaction coordinator registers under. */
      tx: z.object({ 'coordinator-service': z.string().default('tx-coordinator') }).prefault({}),
    })
    .prefault({}),
});

export type ShopBaseConfig = z.infer<typeof shopBaseSchema>;

export interface JdbcTarget {
  host: string;
  port: number;
  database: string;
}

/** `jdbc:mysql://host:port/db?params` → its parts; the resource id Seata derives is the URL without params. */
export function parseJdbcUrl(url: string): JdbcTarget & { resourceId: string } {
  const m = /^jdbc:mysql:\/\/([^/:]+):(\d+)\/(\w+)/.exec(url);
  if (!m) throw new TypeError(`'${url}' is not a jdbc:mysql://host:port/database URL`);
  return { host: m[1]!, port: Number(m[2]), database: m[3]!, resourceId: m[0] };
}
