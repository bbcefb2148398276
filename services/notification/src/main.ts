/**
 * notification-service: `tsx src/main.ts` in this folder. Consumes ORDER_CREATED from
 * shop-order-events (group notification-service); HTTP: GET /notifications?orderId= | ?userId=.
 */
import { z } from 'zod';
import { idempotent, MessageConsumer } from '@silk/platform-sdk/rocketmq';
import { ORDER_CREATED_TAG, ORDER_EVENTS_TOPIC, runShopService, shopBaseSchema } from '@silk/shop-api';
import { NOTIFICATION_SCHEMA, Notifications } from './notifications.js';

await runShopService({
  name: 'notification-service',
  configSchema: shopBaseSchema,
  schema: NOTIFICATION_SCHEMA,
  setup(rt) {
    const notifications = new Notifications(rt.pool);
    const consumer = new MessageConsumer({
      endpoints: rt.ctx.config().rocketmq['simple-consumer'].endpoints,
      consumerGroup: 'notification-service',
      subscriptions: [{ topic: ORDER_EVENTS_TOPIC, tags: ORDER_CREATED_TAG }],
      handler: idempotent(rt.redis, { namespace: 'notification-service' }, (m) => notifications.onOrderCreated(m)),
      concurrency: 8,
      logger: rt.log.child({ component: 'rocketmq' }),
    });
    return {
      components: [consumer],
      routes(app) {
        app.get('/notifications', async (req, reply) => {
          const q = z.object({ orderId: z.string().regex(/^\d+$/).optional(), userId: z.string().max(32).optional() }).safeParse(req.query);
          if (!q.success || (!q.data.orderId && !q.data.userId)) return reply.code(400).send({ error: 'give orderId or userId' });
          return notifications.find(q.data);
        });
      },
    };
  },
});
