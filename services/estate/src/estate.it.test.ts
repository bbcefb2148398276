/**
 * The demo estate end to end, through the gateway: the coordinator, the four shop services,
 * the gateway and the Java portal run as their own processes, on free ports, against the
 * stack's Nacos, RocketMQ, MariaDB and Redis. Each test uses its own user and product rows so
 * runs do not depend on what earlier runs left.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editConfig, openConsole, screenshot, type NacosConsole } from '@silk/nacos-config/console';
import { nacos, stateDir } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { startEstate, type Estate } from './estate.js';
import { repoRoot } from './processes.js';

const run = `T${process.pid}`;
const db = (database: string): Pool => mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database, connectionLimit: 2 });
let estate: Estate;
let storageDb: Pool;
let accountDb: Pool;
let orderDb: Pool;
let notificationDb: Pool;

const gw = (path: string) => estate.url('gateway', path);
const placeOrder = (userId: string, commodityCode: string, count: number) =>
  fetch(gw('/api/orders'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, commodityCode, count }) });

async function one<T>(pool: Pool, sql: string, params: unknown[]): Promise<T | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return rows[0] as T | undefined;
}
const stockOf = async (code: string) => Number((await one<{ stock: number }>(storageDb, 'SELECT stock FROM product WHERE code = ?', [code]))?.stock);
const balanceOf = async (user: string) => String((await one<{ balance: string }>(accountDb, 'SELECT balance FROM account WHERE user_id = ?', [user]))?.balance);
const ordersOf = async (user: string) => Number((await one<{ n: number }>(orderDb, 'SELECT COUNT(*) n FROM orders WHERE user_id = ?', [user]))?.n);
const undoRows = async () => {
  let n = 0;
  for (const p of [storageDb, accountDb, orderDb]) n += Number((await one<{ n: number }>(p, 'SELECT COUNT(*) n FROM undo_log', []))?.n);
  return n;
};

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function seed(user: string, balance: string, product: string, price: string, stock: number): Promise<void> {
  await accountDb.query('REPLACE INTO account (user_id, balance) VALUES (?, ?)', [user, balance]);
  await storageDb.query('REPLACE INTO product (code, name, price, stock) VALUES (?, ?, ?, ?)', [product, `test product ${product}`, price, stock]);
}

beforeAll(async () => {
  storageDb = db('silk_storage');
  await storageDb.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  accountDb = db('silk_account');
  orderDb = db('silk_order');
  notificationDb = db('silk_notification');
  estate = await startEstate({ ports: 'free', java: true });
}, 600_000);

afterAll(async () => {
  await estate?.stop();
  for (const p of [storageDb, accountDb, orderDb, notificationDb]) await p?.end();
}, 120_000);

describe('the shop estate through the gateway', () => {
  it('places an order: stock and balance taken, the order stored, its event consumed', async () => {
    const [user, product] = [`${run}a`, `${run}A`];
    await seed(user, '100.00', product, '12.50', 10);
    const res = await placeOrder(user, product, 3);
    const body = (await res.json()) as { orderId: string; money: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.money).toBe('37.50');
    expect(await stockOf(product)).toBe(7);
    expect(await balanceOf(user)).toBe('62.50');
    const order = (await (await fetch(gw(`/api/orders/${body.orderId}`))).json()) as Record<string, unknown>;
    expect(order).toMatchObject({ orderId: body.orderId, userId: user, commodityCode: product, count: 3, money: '37.50' });
    // The cached reads show the write: the deduction evicted the entries.
    expect(await (await fetch(gw(`/api/products/${product}`))).json()).toMatchObject({ stock: 7 });
    expect(await (await fetch(gw(`/api/accounts/${user}`))).json()).toMatchObject({ balance: '62.50' });
    const notes = await eventually(
      async () => (await (await fetch(gw(`/api/notifications?orderId=${body.orderId}`))).json()) as unknown[],
      (n) => n.length > 0,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ orderId: body.orderId, userId: user });
  });

  it('rolls back an order the balance cannot pay: nothing changes anywhere', async () => {
    const [user, product] = [`${run}b`, `${run}B`];
    await seed(user, '5.00', product, '9.99', 10);
    // Warm the caches so a stale entry would show.
    await fetch(gw(`/api/products/${product}`));
    await fetch(gw(`/api/accounts/${user}`));
    const res = await placeOrder(user, product, 1);
    const body = (await res.json()) as { error: string };
    expect(res.status, JSON.stringify(body)).toBe(409);
    expect(body.error).toMatch(/insufficient balance/);
    expect(await stockOf(product)).toBe(10);
    expect(await balanceOf(user)).toBe('5.00');
    expect(await ordersOf(user)).toBe(0);
    expect(await (await fetch(gw(`/api/products/${product}`))).json()).toMatchObject({ stock: 10 });
    expect(await eventually(undoRows, (n) => n === 0)).toBe(0);
    // The half message was rolled back: no notification, even after the consumer had time.
    await new Promise((r) => setTimeout(r, 2000));
    const [rows] = await notificationDb.query<RowDataPacket[]>('SELECT COUNT(*) n FROM notification WHERE user_id = ?', [user]);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('answers a burst beyond the Sentinel rule with 429s while the rest succeed', async () => {
    const [user, product] = [`${run}c`, `${run}C`];
    await seed(user, '1000.00', product, '1.00', 100);
    // order-service-flow-rules: POST:/orders at 5 per second.
    const answers = await Promise.all(Array.from({ length: 20 }, () => placeOrder(user, product, 1).then((r) => r.status)));
    const ok = answers.filter((s) => s === 201).length;
    const blocked = answers.filter((s) => s === 429).length;
    expect(ok + blocked, answers.join(',')).toBe(20);
    expect(ok).toBeGreaterThan(0);
    expect(blocked).toBeGreaterThan(0);
    expect(ok).toBeLessThanOrEqual(10); // at most two one-second windows of 5
    expect(await stockOf(product)).toBe(100 - ok);
    expect(await ordersOf(user)).toBe(ok);
  });

  it('has a Java Spring Cloud Alibaba member: reached through the gateway, configured from Nacos, calling Node by name', async () => {
    const hello = (await (await fetch(gw('/api/portal/hello'))).json()) as { app: string; shared: string };
    expect(hello).toEqual({ app: 'shop-portal', shared: expect.stringContaining('Silk shop') as unknown });
    const product = `${run}D`;
    await seed(`${run}d`, '1.00', product, '3.00', 4);
    const viaJava = await fetch(gw(`/api/portal/call?service=storage-service&path=/products/${product}`));
    expect(viaJava.status).toBe(200);
    expect(await viaJava.json()).toMatchObject({ code: product, stock: 4 });
  });

  it("follows an operator's edits in the real Nacos console: a feature flag and a Sentinel rule", async () => {
    const [user, product] = [`${run}e`, `${run}E`];
    await seed(user, '1000.00', product, '1.00', 100);
    const status = async () => (await placeOrder(user, product, 1)).status;
    const shots = join(stateDir, 'screenshots');
    let ui: NacosConsole | undefined;
    try {
      ui = await openConsole();
      // The feature flag: pause ordering.
      const flag = await editConfig(ui.page, {
        dataId: 'order-service.yaml',
        group: 'DEFAULT_GROUP',
        edit: (text) => text.replace(/accepting: true/, 'accepting: false'),
      });
      expect(flag.after).toMatch(/accepting: false/);
      await screenshot(ui.page, join(shots, 'estate-order-service-flag.png'));
      await expect.poll(status, { timeout: 15_000, interval: 500 }).toBe(503);
      await editConfig(ui.page, { dataId: 'order-service.yaml', group: 'DEFAULT_GROUP', edit: (text) => text.replace(/accepting: false/, 'accepting: true') });
      await expect.poll(status, { timeout: 15_000, interval: 500 }).toBe(201);
      // The Sentinel rule: a count of 0 blocks every order.
      const rule = await editConfig(ui.page, {
        dataId: 'order-service-flow-rules.json',
        group: 'DEFAULT_GROUP',
        edit: (text) => text.replace(/"count": 5/, '"count": 0'),
      });
      expect(rule.after).toMatch(/"count": 0/);
      await screenshot(ui.page, join(shots, 'estate-order-service-flow-rule.png'));
      await expect.poll(status, { timeout: 15_000, interval: 500 }).toBe(429);
      await new Promise((r) => setTimeout(r, 1100)); // a fresh one-second window: still blocked
      expect(await status()).toBe(429);
    } finally {
      await ui?.close();
      await restore(['order-service.yaml', 'order-service-flow-rules.json']);
    }
    await expect.poll(status, { timeout: 15_000, interval: 1100 }).toBe(201);
  });
});

/** Puts dataIds back as nacos-config/ has them, whatever the console test left. */
async function restore(dataIds: string[]): Promise<void> {
  const token = await nacosLogin();
  for (const dataId of dataIds) {
    const content = readFileSync(join(repoRoot, 'nacos-config', 'public', 'DEFAULT_GROUP', dataId), 'utf8');
    const type = dataId.endsWith('.json') ? 'json' : 'yaml';
    const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content, type, accessToken: token });
    await fetch(`http://127.0.0.1:${nacos.port}${nacos.contextPath}/v1/cs/configs`, { method: 'POST', body });
  }
}

