/**
 * account-service: `tsx src/main.ts` in this folder. HTTP: GET /accounts/:userId (cached).
 * Dubbo: AccountService.
 */
import { z } from 'zod';
import { ACCOUNT_SERVICE, runShopService, shopBaseSchema } from '@silk/shop-api';
import { ACCOUNT_SCHEMA, Accounts } from './accounts.js';

await runShopService({
  name: 'account-service',
  configSchema: shopBaseSchema,
  schema: ACCOUNT_SCHEMA,
  setup(rt) {
    const accounts = new Accounts(rt.pool, rt.at, rt.redis);
    const provider = rt.dubboProvider().export(ACCOUNT_SERVICE, {
      debit: (userId: string, money: string) => accounts.debit(userId, money),
    });
    return {
      components: [accounts.cache, provider],
      routes(app) {
        app.get('/accounts/:userId', async (req, reply) => {
          const { userId } = z.object({ userId: z.string().max(32) }).parse(req.params);
          const a = await accounts.account(userId);
          return a ?? reply.code(404).send({ error: `no account ${userId}` });
        });
      },
    };
  },
});
