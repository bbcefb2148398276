import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentXid } from '../core/index.js';
import { BranchStatus, BranchType, GlobalStatus } from '../tx/model.js';
import type { BranchPhaseTwo, RequestType } from '../tx/protocol.js';
import { RpcChannel } from '../tx/rpc-channel.js';
import { TcClient, type ResourceManager } from '../tx/tc-client.js';
import { TransactionManager } from '../tx/tm.js';
import { MeterRegistry } from './meter-registry.js';
import { promtoolCheck, sample } from './prometheus-test-support.js';
import { setDefaultScope, withScope } from './spans.js';
import { Tracing } from './tracing.js';

// A TC reduced to what the TM and RM exchange with it: begin, commit (which orders the one
// registered branch's phase two), rollback.
let server: Server;
let toClient: RpcChannel | undefined;
let seq = 0;
const branches = new Map<string, BranchPhaseTwo>();

beforeAll(async () => {
  server = createServer((socket) => {
    const ch: RpcChannel = new RpcChannel(
      socket,
      async (type: RequestType, body: unknown) => {
        const b = body as { xid: string; resourceId: string };
        if (type === 'RegRM') return {};
        if (type === 'GlobalBegin') return { xid: `127.0.0.1:8091:${++seq}` };
        if (type === 'BranchRegister') {
          const branchId = `${seq}01`;
          branches.set(b.xid, { xid: b.xid, branchId, branchType: BranchType.TCC, resourceId: b.resourceId });
          return { branchId };
        }
        if (type === 'GlobalCommit') {
          const branch = branches.get(b.xid);
          if (branch) await ch.request('BranchCommit', branch, 2000);
          return { status: GlobalStatus.Committed };
        }
        if (type === 'GlobalRollback') return { status: GlobalStatus.Rollbacked };
        throw new Error(`not served here: ${type}`);
      },
      'test-tc',
      () => undefined,
    );
    toClient = ch;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  toClient?.close();
  setDefaultScope(undefined);
  await new Promise((r) => server.close(r));
});

describe('global transactions in the trace and the metrics', () => {
  it('spans the transaction, its TC requests and the branch phase two; times outcomes as seata_transaction', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = new Tracing({
      serviceName: 'order',
      samplingProbability: 1,
      exporters: [exporter],
      exportImmediately: true,
    });
    const meters = new MeterRegistry({ application: 'order' });
    const scope = { tracing, meters };
    // Phase two arrives on the TC's socket, outside any request: the service default applies.
    setDefaultScope(scope);
    const rm: ResourceManager = {
      branchType: BranchType.TCC,
      resourceIds: () => ['debit'],
      branchCommit: () => Promise.resolve(BranchStatus.PhaseTwo_Committed),
      branchRollback: () => Promise.resolve(BranchStatus.PhaseTwo_Rollbacked),
    };
    const tc = new TcClient({
      applicationId: 'order',
      resolve: () => [{ host: '127.0.0.1', port: (server.address() as AddressInfo).port }],
    });
    tc.addResourceManager(rm);
    await tc.start();
    const tm = new TransactionManager(tc, 'order');
    try {
      await withScope(scope, async () => {
        const xid = await tm.globalTransaction(
          async () => {
            await tc.request('BranchRegister', {
              xid: currentXid()!,
              branchType: BranchType.TCC,
              resourceId: 'debit',
              clientId: tc.clientId,
            });
            return currentXid();
          },
          { name: 'place-order' },
        );
        expect(xid).toBe(`127.0.0.1:8091:${seq}`);
        await expect(
          tm.globalTransaction(() => Promise.reject(new Error('out of stock')), { name: 'place-order' }),
        ).rejects.toThrow('out of stock');
      });
    } finally {
      tc.close();
    }
    const spans = exporter.getFinishedSpans();
    const byName = (n: string) => spans.filter((s) => s.name === n);
    const [committed, rolledBack] = byName('GlobalTransaction place-order');
    expect(committed!.attributes).toMatchObject({
      'seata.tx.outcome': 'committed',
      'seata.xid': `127.0.0.1:8091:${seq - 1}`,
    });
    expect(rolledBack!.attributes['seata.tx.outcome']).toBe('rollbacked');
    const root = committed!.spanContext();
    for (const n of ['seata GlobalBegin', 'seata BranchRegister', 'seata GlobalCommit']) {
      const s = byName(n)[0]!;
      expect(Number(s.kind)).toBe(Number(SpanKind.CLIENT));
      expect(s.spanContext().traceId).toBe(root.traceId);
    }
    expect(byName('seata GlobalRollback')[0]!.parentSpanContext?.spanId).toBe(
      rolledBack!.spanContext().spanId,
    );
    const phaseTwo = byName('seata BranchCommit')[0]!;
    expect(Number(phaseTwo.kind)).toBe(Number(SpanKind.SERVER));
    expect(phaseTwo.attributes).toMatchObject({
      'seata.resource_id': 'debit',
      'seata.branch_status': 'PhaseTwo_Committed',
    });

    const scrape = await promtoolCheck(await meters.scrape());
    expect(scrape.problems).toEqual([]);
    expect(
      sample(scrape, 'seata_transaction_seconds', { role: 'tm', name: 'place-order', status: 'committed' })
        .count,
    ).toBe(1);
    expect(
      sample(scrape, 'seata_transaction_seconds', { role: 'tm', name: 'place-order', status: 'rollbacked' })
        .count,
    ).toBe(1);
    expect(
      sample(scrape, 'seata_transaction_seconds', { role: 'rm', name: 'debit', status: 'PhaseTwo_Committed' })
        .count,
    ).toBe(1);
  });
});
