import { createMemoryDataSource, ItemStore, KbStore, migrateMemory, PreferenceStore, StatusStore } from '@cp/memory-plane/data-access';
import { defaultStaticEmbedder } from '@cp/memory-plane/embedding';
import { DEFAULT_SCORING } from '@cp/memory-plane/domain';
import { NatsBus } from '@cp/shared/messaging';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { trace } from '@cp/shared/telemetry';
import { MemoryCommands } from './memory-commands';
import { queryMemory, type QueryOptions } from './memory-query';
import { MemoryState } from './memory-state';

const RUNBOOK = 'To restart the payment workers, drain the queue in Grafana first, then restart the pods one by one with kubectl rollout restart.';

describe('memory plane: ingest, query across layers, degradation (real Postgres and NATS)', () => {
  const iso = newIsolation('memplane');
  const ds = createMemoryDataSource(iso.databaseUrl, 4);
  let bus: NatsBus;
  let state: MemoryState;
  let cmd: MemoryCommands;
  const events: { subject: string; data: string }[] = [];
  const opts: QueryOptions = { layerTimeoutMs: 2000, scoring: DEFAULT_SCORING, minRelevance: 0.15 };

  beforeAll(async () => {
    await migrateMemory(iso.databaseUrl);
    await ds.initialize();
    bus = await NatsBus.connect({ servers: iso.natsUrl, service: 'memory-plane', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    await bus.ensureEventStream();
    bus.nc.subscribe(`${iso.namespace}.cp.memory.>`, { callback: (_e, m) => void events.push({ subject: m.subject, data: m.string() }) });
    state = new MemoryState(new KbStore(ds), new PreferenceStore(ds), new StatusStore(ds), new ItemStore(ds), defaultStaticEmbedder());
    await state.kb.indexes.ensure(state.embedder.id, state.embedder.dimension);
    cmd = new MemoryCommands(state, bus);
  });

  afterAll(async () => {
    await bus.close();
    await ds.destroy();
    await dropIsolation(iso);
  });

  it('Given a document in the KB and the same text as a status note, When queried, Then it comes back once with both provenances', async () => {
    const ingested = await cmd.ingest({ title: 'Payment workers runbook', content: RUNBOOK, source: 'runbooks/payments.md' });
    expect(ingested).toMatchObject({ outcome: 'created', chunks: 1 });
    expect(await cmd.ingest({ title: 'again', content: RUNBOOK })).toMatchObject({ outcome: 'unchanged' });
    await cmd.putStatus({ text: RUNBOOK, priorities: ['Cut cloud costs by 10 percent'] });
    const reply = await queryMemory(state, { query: 'how do I restart the payment workers?' }, opts);
    const same = reply.results.filter((r) => r.text.includes('payment workers'));
    expect(same).toHaveLength(1);
    expect(same[0].provenance.map((p) => p.layer).sort()).toEqual(['kb', 'status']);
    expect(reply.degraded).toEqual([]);
  });

  it('Given a stale preference and a fresh priority that contradicts it, When queried, Then both are annotated and the preference ranks below', async () => {
    await state.prefs.add({ id: '01936f3e-0000-7000-8000-0000000000aa', subject: 'mongodb', statement: 'Never use MongoDB for new services', polarity: 'negative', confidence: 0.9, origin: 'api', evidence: null, createdAt: '2026-01-01T00:00:00.000Z' }, []);
    await state.refreshPreferences();
    await cmd.putStatus({ priorities: ['Move the billing service to MongoDB this quarter'] });
    const reply = await queryMemory(state, { query: 'should the billing service use MongoDB?', layers: ['preferences', 'status'] }, opts);
    const pref = reply.results.find((r) => r.layer === 'preferences')!;
    const prio = reply.results.find((r) => r.layer === 'status' && r.text.includes('MongoDB'))!;
    expect(pref.conflicts?.[0].with.id).toBe(prio.id);
    expect(prio.conflicts?.[0].with.id).toBe(pref.id);
    expect(reply.results.indexOf(pref)).toBeGreaterThan(reply.results.indexOf(prio));
    expect(reply.conflicts).toEqual([expect.objectContaining({ penalized: pref.id })]);
  });

  it.each([['fail'], ['slow']] as const)('Given the KB layer made to %s, When queried, Then the other layers answer and degraded is ["kb"]', async (mode) => {
    state.faults.set('kb', mode);
    try {
      const reply = await queryMemory(state, { query: 'payment workers' }, { ...opts, layerTimeoutMs: 150 });
      expect(reply.degraded).toEqual(['kb']);
      expect(reply.results.length).toBeGreaterThan(0);
      expect(reply.results.every((r) => r.provenance.every((p) => p.layer !== 'kb'))).toBe(true);
    } finally {
      state.faults.delete('kb');
    }
  });

  it('Given a user message stating preferences, When learned, Then the newer statement supersedes and the ledger events carry hashes, not the text', async () => {
    const first = await cmd.learn('req-1', 'Please use metric units. I prefer short answers.');
    expect(first.learned).toHaveLength(2);
    const second = await cmd.learn('req-2', 'Never use metric units');
    const active = await state.prefs.list();
    expect(active.find((p) => p.subject === 'metric units')?.id).toBe(second.learned[0]);
    expect(active.filter((p) => p.subject === 'metric units')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    const recorded = events.filter((e) => e.subject.endsWith('preference-recorded.v1')).map((e) => e.data).join('\n');
    expect(recorded).toContain(second.learned[0]);
    expect(recorded).toContain('req-2');
    expect(recorded).not.toMatch(/metric|short answers/i);
  });

  it('Given an image remembered without a description, When a description comes, Then the item is found by its words, the event carries a hash, and a second description is refused', async () => {
    const hash = 'ab'.repeat(32);
    const first = await cmd.remember('req-img', [{ contentHash: hash, filename: null, mediaType: 'image/png', bytes: 2048 }]);
    expect(first.undescribed).toEqual([{ itemId: first.remembered[0], contentHash: hash }]);
    const itemId = first.remembered[0];
    const before = await queryMemory(state, { query: 'whiteboard sketch of the deployment pipeline', layers: ['multimodal'] }, opts);
    const relevanceBefore = before.results.find((r) => r.id === itemId)?.relevance ?? 0;
    const description = 'A whiteboard sketch of the deployment pipeline with three stages: build, canary and rollout.';
    expect(await cmd.describeItem({ itemId, description, model: 'qwen/qwen2.5-vl-72b-instruct', requestId: 'req-img', describeRequestId: 'desc-1' })).toEqual({ itemId, described: true });
    const after = await queryMemory(state, { query: 'whiteboard sketch of the deployment pipeline', layers: ['multimodal'] }, opts);
    expect(after.results[0]).toMatchObject({ id: itemId, layer: 'multimodal', text: expect.stringContaining('whiteboard sketch') });
    // Undescribed, the item only matches by chance (its name, type and size); described, it is the answer.
    expect(after.results[0].relevance).toBeGreaterThan(relevanceBefore + 0.5);
    expect(await cmd.describeItem({ itemId, description: 'something else', model: 'other/model' })).toEqual({ itemId, described: false });
    expect((await state.itemStore.list()).find((i) => i.id === itemId)).toMatchObject({ description, describedBy: 'qwen/qwen2.5-vl-72b-instruct' });
    expect(await cmd.describeItem({ itemId: '01936f3e-0000-7000-8000-0000000000ff', description: 'x', model: 'm' })).toMatchObject({ error: { status: 404, code: 'item_not_found' } });
    expect((await cmd.remember('req-img-2', [{ contentHash: hash, filename: null, mediaType: 'image/png', bytes: 2048 }])).undescribed).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    const described = events.filter((e) => e.subject.endsWith('item-described.v1')).map((e) => JSON.parse(e.data) as { correlationId: string; payload: Record<string, unknown> });
    expect(described).toHaveLength(1);
    expect(described[0]).toMatchObject({ correlationId: 'req-img', payload: { itemId, model: 'qwen/qwen2.5-vl-72b-instruct', describeRequestId: 'desc-1', chars: description.length } });
    expect(JSON.stringify(described)).not.toMatch(/whiteboard/);
  });

  it('Given a deleted document and an unknown id, Then the KB no longer answers with it and the unknown id is a 404', async () => {
    const { documents } = await state.kb.list();
    expect(await cmd.deleteDocument(documents[0].id)).toEqual({ id: documents[0].id, deleted: true });
    expect(await cmd.deleteDocument(documents[0].id)).toMatchObject({ error: { status: 404 } });
    const reply = await queryMemory(state, { query: 'restart payment workers', layers: ['kb'] }, opts);
    expect(reply.results).toEqual([]);
  });
});
