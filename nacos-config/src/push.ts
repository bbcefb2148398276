/**
 * `pnpm nacos:push [--dir <folder>] [--dry-run]` — publish the estate's Nacos content.
 * Target and credentials: NACOS_SERVER_ADDR, NACOS_USERNAME, NACOS_PASSWORD, defaulting to
 * the local cluster from `stack/`.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nacos } from '@silk/stack/config';
import { NacosAdmin } from './nacos-admin.js';
import { publishLayout } from './publish.js';

const args = process.argv.slice(2);
const dirArg = args.indexOf('--dir');
const root =
  dirArg >= 0 && args[dirArg + 1] ? args[dirArg + 1]! : join(dirname(fileURLToPath(import.meta.url)), '..');
const dryRun = args.includes('--dry-run');

const admin = new NacosAdmin({
  baseUrl: `http://${process.env.NACOS_SERVER_ADDR ?? `127.0.0.1:${nacos.port}`}`,
  contextPath: nacos.contextPath,
  username: process.env.NACOS_USERNAME ?? nacos.username,
  password: process.env.NACOS_PASSWORD ?? nacos.password,
});

try {
  await admin.login();
  const results = await publishLayout(admin, root, { dryRun });
  for (const { entry, outcome } of results) {
    console.log(
      `${outcome.padEnd(9)} ${entry.namespace}/${entry.group}/${entry.dataId}  (${relative(process.cwd(), entry.file)})`,
    );
  }
  const changed = results.filter((r) => r.outcome !== 'unchanged').length;
  console.log(`${dryRun ? 'would publish' : 'published'} ${changed} of ${results.length} dataIds`);
} catch (err) {
  console.error(`nacos:push failed: ${(err as Error).message}`);
  process.exit(1);
}
