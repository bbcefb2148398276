/**
 * storage-service: `tsx src/main.ts` in this folder (or `pnpm --filter @silk/storage-service
 * start`). HTTP: GET /products, GET /products/:code (cached). Dubbo: StorageService.
 */
import { z } from 'zod';
import { runShopService, shopBaseSchema, STORAGE_SERVICE } from '@silk/shop-api';
import { Inventory, STORAGE_SCHEMA } from './inventory.js';

await runShopService({
  name: 'storage-service',
  configSchema: shopBaseSchema,
  schema: STORAGE_SCHEMA,
  setup(rt) {
    const inventory = new Inventory(rt.pool, rt.at, rt.redis);
    const provider = rt.dubboProvider().export(STORAGE_SERVICE, {
      deduct: (code: string, count: number) => inventory.deduct(code, count),
    });
    return {
      components: [inventory.cache, provider],
      routes(app) {
        app.get('/products', () => inventory.list());
        app.get('/products/:code', async (req, reply) => {
          const { code } = z.object({ code: z.string().max(32) }).parse(req.params);
          const p = await inventory.product(code);
          return p ?? reply.code(404).send({ error: `no product ${code}` });
        });
      },
    };
  },
});
