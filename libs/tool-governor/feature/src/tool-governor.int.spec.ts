import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryQuery, ToolGovernorExecute } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation, waitFor } from '@cp/shared/testing';
import type { ToolPolicyVersion } from '@cp/tool-governor/domain';
import { LocalToolExecutor } from './local-tool-executor';
import { PolicyFollower } from './policy-follower';
import { readToolPolicyFile } from './policy-source';
import { PolicyWatcher } from './policy-watcher';

const logger = createLogger('test', 'silent');

/** tool-governor's policy distribution and local tools over a real NATS server. */
describe('tool-governor over NATS', () => {
  const iso = newIsolation('toolgov');
  const file = join(mkdtempSync(join(tmpdir(), 'cp-toolgov-')), 'tools.yaml');
  let governor: NatsBus;
  let gateway: NatsBus;
  let watcher: PolicyWatcher;
  let follower: PolicyFollower;
  const applied: ToolPolicyVersion[] = [];

  beforeAll(async () => {
    const connect = (service: string) => NatsBus.connect({ servers: iso.natsUrl, service, namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    [governor, gateway] = await Promise.all([connect('tool-governor'), connect('gateway')]);
    writeFileSync(file, 'version: 1\n');
    follower = new PolicyFollower({ bus: gateway, logger }, 'none', (v) => applied.push(v));
    follower.start();
    await gateway.ready();
    watcher = new PolicyWatcher({ bus: governor, logger }, file, readToolPolicyFile(file), 50);
    watcher.start();
    new LocalToolExecutor({ bus: governor, logger }).start();
    await governor.ready();
  });

  afterAll(async () => {
    watcher.stop();
    follower.stop();
    await Promise.all([governor.close(1000), gateway.close(1000)]);
    await dropIsolation(iso);
  });

  it('given the watcher starts, then the gateway follows its version; a change is applied, an invalid file is refused and the last good one kept', async () => {
    await waitFor('the first version', async () => (applied.length === 1 ? true : undefined), 5000, 20);
    expect(follower.version).toBe(watcher.version);
    writeFileSync(file, 'version: 1\ntools:\n  deny: [shell]\n');
    await waitFor('the changed version', async () => (applied.length === 2 ? true : undefined), 5000, 20);
    expect(applied[1]!.policy.tools.deny).toEqual(['shell']);
    const good = watcher.version;
    writeFileSync(file, 'version: 1\ntools:\n  deny: [shell]\n  typo: true\n');
    await waitFor('the refusal', async () => (watcher.rejected === 1 ? true : undefined), 5000, 20);
    expect(watcher.version).toBe(good);
    expect(follower.version).toBe(good);
    expect(applied).toHaveLength(2);
  });

  it('runs data_clean, and answers search_kb with a tool error until the memory plane serves its query RPC', async () => {
    const cleaned = await gateway.request(ToolGovernorExecute, { tool: 'data_clean', arguments: { rows: [[' a ', '1,000'], ['a', '1000']] }, timeoutMs: 1000 }, 2000);
    expect(cleaned).toMatchObject({ ok: true, isError: false });
    expect(cleaned.ok && JSON.parse(cleaned.content).rows).toEqual([['a', 1000]]);

    const unavailable = await gateway.request(ToolGovernorExecute, { tool: 'search_kb', arguments: { query: 'refunds' }, timeoutMs: 300 }, 2000);
    expect(unavailable).toMatchObject({ ok: true, isError: true, content: expect.stringContaining('knowledge_base_unavailable') });

    const memory = await NatsBus.connect({ servers: iso.natsUrl, service: 'memory-plane', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    try {
      const asked: unknown[] = [];
      memory.serve(MemoryQuery, (req) => {
        asked.push(req);
        const provenance = [{ layer: 'kb' as const, id: 'c1', source: 'sha256:ab', origin: 'kb/refunds.md', updatedAt: new Date(0).toISOString() }];
        return { results: [{ layer: 'kb' as const, id: 'c1', text: `about ${req.query}`, score: 0.9, confidence: 0.9, provenance }], conflicts: [], degraded: [], tookMs: 1 };
      }, 'memory-plane');
      await memory.ready();
      const found = await gateway.request(ToolGovernorExecute, { tool: 'search_kb', arguments: { query: 'refunds', top_k: 2 }, timeoutMs: 1000 }, 2000);
      expect(found).toMatchObject({ ok: true, isError: false });
      expect(found.ok && JSON.parse(found.content)).toEqual({ results: [{ text: 'about refunds', score: 0.9, source: ['kb/refunds.md'] }] });
      expect(asked).toEqual([{ query: 'refunds', layers: ['kb'], limit: 2 }]);
    } finally {
      await memory.close(1000);
    }
  });
});
