import type { Embedder } from '@cp/memory-plane/embedding';
import type { ItemStore, KbStore, MemoryItem, PreferenceStore, StatusItem, StatusStore, StoredPreference } from '@cp/memory-plane/data-access';
import type { Layer } from '@cp/memory-plane/domain';

/** A small item (preference, status item, remembered file) with its vector, kept in memory. */
export interface Cached<T> {
  value: T;
  text: string;
  vector: Float32Array;
}

/**
 * What the memory plane works with: the stores, the current embedder, the fault switch, and the
 * small layers (preferences, status, multimodal items) cached in memory with their vectors, so a
 * query reads them without a database round trip. Each write refreshes its cache.
 */
export class MemoryState {
  preferences: Cached<StoredPreference>[] = [];
  status: Cached<StatusItem>[] = [];
  items: Cached<MemoryItem>[] = [];
  readonly faults = new Map<Layer, 'fail' | 'slow'>();
  /** Called after the KB's chunks changed (the module refreshes the lexeme statistics then). */
  kbChanged: () => void = () => undefined;

  constructor(
    readonly kb: KbStore,
    readonly prefs: PreferenceStore,
    readonly statusStore: StatusStore,
    readonly itemStore: ItemStore,
    public embedder: Embedder,
  ) {}

  async refreshPreferences(): Promise<void> {
    this.preferences = await this.cache(await this.prefs.list(), (p) => p.statement);
  }

  async refreshStatus(): Promise<void> {
    this.status = await this.cache(await this.statusStore.list(), (s) => s.text);
  }

  async refreshItems(): Promise<void> {
    this.items = await this.cache(await this.itemStore.list(), itemText);
  }

  /** One item changed (its description): only its text and vector are computed again. */
  async refreshItem(item: MemoryItem): Promise<void> {
    const text = itemText(item);
    const [vector] = await this.embedder.embed([text]);
    const fresh = { value: item, text, vector };
    const i = this.items.findIndex((c) => c.value.id === item.id);
    this.items = i < 0 ? [fresh, ...this.items] : this.items.map((c, j) => (j === i ? fresh : c));
  }

  async refreshAll(): Promise<void> {
    await Promise.all([this.refreshPreferences(), this.refreshStatus(), this.refreshItems()]);
  }

  private async cache<T>(values: T[], text: (v: T) => string): Promise<Cached<T>[]> {
    const texts = values.map(text);
    const vectors = texts.length ? await this.embedder.embed(texts) : [];
    return values.map((value, i) => ({ value, text: texts[i], vector: vectors[i] }));
  }
}

/** How a remembered file reads in results: its name, type, size and description when there is one. */
export function itemText(i: MemoryItem): string {
  return `${i.filename ?? 'unnamed file'} (${i.mediaType}, ${i.bytes} bytes)${i.description ? `: ${i.description}` : ''}`;
}
