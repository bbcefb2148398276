/**
 * order-service: `tsx src/main.ts` in this folder. HTTP: POST /orders (Sentinel resource
 * `POST:/orders`, rules in order-service-flow-rules), GET /orders/:id, GET /orders?userId=.
 * `shop.order.accepting: false` in order-service.yaml pauses ordering live (503).
 */
import { z } from 'zod';
import { SnowflakeGenerator, WorkerIdLease } from '@silk/platform-sdk/datasource';
import { ServiceClient } from '@silk/platform-sdk/http';
import { MessageProducer, type TransactionCheckResult } from '@silk/platform-sdk/rocketmq';
import { ACCOUNT_SERVICE, ORDER_EVENTS_TOPIC, runShopService, shopBaseSchema, STORAGE_SERVICE } from '@silk/shop-api';
import { ORDER_SCHEMA, OrderRefused, Orders } from './orders.js';

const orderSchema = shopBaseSchema.extend({
  shop: z
    .object({
      order: z
        .object({
          /** The feature flag operators flip in the console to pause ordering. */
          accepting: z.boolean().default(true),
          'max-count': z.coerce.number().int().positive().default(10),
          'tx-timeout-ms': z.coerce.number().int().positive().default(10_000),
        })
        .prefault({}),
    })
    .prefault({}),
});

const placeBody = z.object({
  userId: z.string().min(1).max(32),
  commodityCode: z.string().min(1).max(32),
  count: z.number().int().positive(),
});

await runShopService({
  name: 'order-service',
  configSchema: orderSchema,
  schema: ORDER_SCHEMA,
  setup(rt) {
    const cfg = () => rt.ctx.config().shop.order;
    const workerIds = new WorkerIdLease({ redis: rt.redis, namespace: 'silk:snowflake:order' });
    const consumer = rt.dubboConsumer();
    const producer = new MessageProducer({
      endpoints: rt.ctx.config().rocketmq.producer.endpoints,
      topics: [{ name: ORDER_EVENTS_TOPIC, messageType: 'TRANSACTION' }],
      // The checker runs only after start, by when `orders` below exists.
      transactionChecker: (m): Promise<TransactionCheckResult> => orders.check(m),
      logger: rt.log.child({ component: 'rocketmq' }),
    });
    const orders: Orders = new Orders({
      pool: rt.pool,
      at: rt.at,
      tx: rt.tx,
      ids: new SnowflakeGenerator({ workerIds }),
      producer,
      storageHttp: new ServiceClient({ discovery: rt.ctx.discovery, sentinel: rt.ctx.sentinel, timeoutMs: 3000 }),
      storage: consumer.reference(STORAGE_SERVICE),
      account: consumer.reference(ACCOUNT_SERVICE),
      timeoutMs: () => cfg()['tx-timeout-ms'],
    });
    return {
      components: [workerIds, consumer, producer],
      routes(app) {
        app.post('/orders', async (req, reply) => {
          if (!cfg().accepting) return reply.code(503).send({ error: 'ordering is paused (shop.order.accepting is false)' });
          const parsed = placeBody.safeParse(req.body);
          if (!parsed.success) return reply.code(400).send({ error: 'userId, commodityCode and a positive integer count are required', issues: parsed.error.issues });
          if (parsed.data.count > cfg()['max-count'])
            return reply.code(400).send({ error: `at most ${cfg()['max-count']} items per order (shop.order.max-count)` });
          try {
            return reply.code(201).send(await orders.place(parsed.data));
          } catch (err) {
            if (err instanceof OrderRefused) return reply.code(err.status).send({ error: err.message });
            throw err;
          }
        });
        app.get('/orders/:id', async (req, reply) => {
          const { id } = z.object({ id: z.string().regex(/^\d{1,20}$/) }).parse(req.params);
          return (await orders.get(id)) ?? reply.code(404).send({ error: `no order ${id}` });
        });
        app.get('/orders', async (req) => {
          const { userId } = z.object({ userId: z.string().max(32) }).parse(req.query);
          return orders.byUser(userId);
        });
      },
    };
  },
});
