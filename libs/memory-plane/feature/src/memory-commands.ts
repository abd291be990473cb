import { chunkDocument, extractPreferences, polarityOf, subjectOf, supersededBy } from '@cp/memory-plane/domain';
import { sha256 } from '@cp/memory-plane/data-access';
import { DocumentDeleted, DocumentIngested, ItemDescribed, ItemRemembered, PreferenceChanged, PreferenceRecorded, StatusUpdated, type RpcError, type StatusView, newId } from '@cp/shared/contracts';
import type { NatsBus } from '@cp/shared/messaging';
import type { MemoryState } from './memory-state';

type Failure = { error: RpcError };
const notFound = (what: string, id: string): Failure => ({ error: { status: 404, code: `${what}_not_found`, type: 'invalid_request_error', message: `no ${what} with id ${id}` } });

/**
 * Every change of the memory plane: stored first (one transaction), then recorded as a ledger
 * event (preferences by id and hash only), then the in-memory caches refreshed.
 */
export class MemoryCommands {
  constructor(
    private readonly state: MemoryState,
    private readonly bus: NatsBus,
  ) {}

  async ingest(req: { title: string; content: string; source?: string; mimeType?: string; requestId?: string }) {
    const mimeType = req.mimeType ?? 'text/markdown';
    const chunks = chunkDocument(req.content, mimeType);
    if (chunks.length === 0) return { error: { status: 400, code: 'empty_document', type: 'invalid_request_error', message: 'the document has no text to index' } } satisfies Failure;
    const embedder = this.state.embedder;
    const vectors = await embedder.embed(chunks.map((c) => c.text));
    const out = await this.state.kb.ingest({ title: req.title, content: req.content, source: req.source ?? null, mimeType }, embedder.id, chunks.map((c, i) => ({ ...c, embedding: vectors[i] })));
    if (out.outcome !== 'unchanged') {
      this.state.kbChanged();
      this.bus.publish(DocumentIngested, { documentId: out.document.id, contentHash: out.document.contentHash, outcome: out.outcome, chunks: out.document.chunks, bytes: out.document.bytes, embedder: embedder.id }, this.args(`memory:document:${out.document.id}`, req.requestId));
    }
    return { id: out.document.id, chunks: out.document.chunks, outcome: out.outcome, document: out.document };
  }

  async deleteDocument(id: string, requestId?: string) {
    if (!(await this.state.kb.delete(id))) return notFound('document', id);
    this.state.kbChanged();
    this.bus.publish(DocumentDeleted, { documentId: id }, this.args(`memory:document:${id}`, requestId));
    return { id, deleted: true as const };
  }

  async createPreference(req: { statement: string; subject?: string; polarity?: 'positive' | 'negative'; confidence?: number; requestId?: string }) {
    const extracted = extractPreferences(req.statement)[0];
    const subject = (req.subject ?? extracted?.subject ?? subjectOf(req.statement)) || req.statement.toLowerCase().slice(0, 60);
    return this.recordPreference({ statement: req.statement.trim(), subject: subject.toLowerCase(), polarity: req.polarity ?? extracted?.polarity ?? polarityOf(req.statement), confidence: req.confidence ?? extracted?.confidence ?? 1, origin: 'api', evidence: req.requestId ?? null });
  }

  /** Preferences stated in a user message of a key that opted in; the text itself is not kept beyond the statement sentence. */
  async learn(requestId: string, text: string) {
    const learned: string[] = [];
    for (const p of extractPreferences(text).slice(0, 5)) {
      const { preference } = await this.recordPreference({ statement: p.statement, subject: p.subject, polarity: p.polarity, confidence: p.confidence, origin: 'learned', evidence: requestId });
      learned.push(preference.id);
    }
    return { learned };
  }

  private async recordPreference(p: { statement: string; subject: string; polarity: 'positive' | 'negative'; confidence: number; origin: 'learned' | 'api'; evidence: string | null }) {
    const createdAt = new Date().toISOString();
    const active = await this.state.prefs.list();
    const supersedes = supersededBy({ subject: p.subject, at: createdAt }, active);
    const preference = await this.state.prefs.add({ id: newId(), createdAt, ...p }, supersedes);
    this.bus.publish(PreferenceRecorded, { preferenceId: preference.id, subjectHash: sha256(p.subject), statementHash: sha256(p.statement), polarity: p.polarity, confidence: p.confidence, origin: p.origin, evidence: p.evidence, supersedes }, this.args(`memory:preference:${preference.id}`, p.evidence ?? undefined));
    await this.state.refreshPreferences();
    return { preference, supersedes };
  }

  async updatePreference(id: string, patch: { statement?: string; subject?: string; polarity?: 'positive' | 'negative'; confidence?: number }, requestId?: string) {
    const preference = await this.state.prefs.update(id, { ...patch, subject: patch.subject?.toLowerCase() });
    if (!preference) return notFound('preference', id);
    this.bus.publish(PreferenceChanged, { preferenceId: id, change: 'updated', statementHash: sha256(preference.statement) }, this.args(`memory:preference:${id}`, requestId));
    await this.state.refreshPreferences();
    return { preference };
  }

  async deletePreference(id: string, requestId?: string) {
    if (!(await this.state.prefs.delete(id))) return notFound('preference', id);
    this.bus.publish(PreferenceChanged, { preferenceId: id, change: 'deleted' }, this.args(`memory:preference:${id}`, requestId));
    await this.state.refreshPreferences();
    return { id, deleted: true as const };
  }

  async putStatus(req: { text?: string; priorities?: string[]; projects?: string[]; requestId?: string }): Promise<StatusView> {
    const items = [
      ...(req.priorities ?? []).map((text) => ({ kind: 'priority' as const, text: text.trim() })),
      ...(req.projects ?? []).map((text) => ({ kind: 'project' as const, text: text.trim() })),
      ...(req.text?.trim() ? [{ kind: 'note' as const, text: req.text.trim() }] : []),
    ];
    const stored = await this.state.statusStore.replace(items);
    this.bus.publish(StatusUpdated, { items: stored.map((s) => ({ id: s.id, kind: s.kind, textHash: sha256(s.text) })) }, this.args('memory:status', req.requestId));
    await this.state.refreshStatus();
    return this.status();
  }

  status(): StatusView {
    const items = this.state.status.map((s) => s.value);
    return { items, updatedAt: items[0]?.updatedAt ?? null };
  }

  async remember(requestId: string, items: { contentHash: string; filename: string | null; mediaType: string; bytes: number }[]) {
    const remembered: string[] = [];
    const undescribed: { itemId: string; contentHash: string }[] = [];
    for (const i of items) {
      const { item, created } = await this.state.itemStore.remember({ ...i, evidence: requestId });
      this.bus.publish(ItemRemembered, { itemId: item.id, contentHash: item.contentHash, mediaType: item.mediaType, bytes: item.bytes, created }, this.args(`memory:item:${item.id}`, requestId));
      remembered.push(item.id);
      if (item.description === null) undescribed.push({ itemId: item.id, contentHash: item.contentHash });
    }
    await this.state.refreshItems();
    return { remembered, undescribed };
  }

  /** A vision model's description of an item: stored when the item has none, then the item is searchable by it (text and vector refreshed). */
  async describeItem(req: { itemId: string; description: string; model: string; requestId?: string; describeRequestId?: string }) {
    const description = req.description.trim();
    const { item, described } = await this.state.itemStore.describe(req.itemId, description, req.model);
    if (!item) return notFound('item', req.itemId);
    if (described) {
      this.bus.publish(ItemDescribed, { itemId: item.id, descriptionHash: sha256(description), chars: description.length, model: req.model, describeRequestId: req.describeRequestId }, this.args(`memory:item:${item.id}`, req.requestId));
      await this.state.refreshItem(item);
    }
    return { itemId: item.id, described };
  }

  private args(streamId: string, requestId?: string) {
    return { streamId, correlationId: requestId ?? newId() };
  }
}
