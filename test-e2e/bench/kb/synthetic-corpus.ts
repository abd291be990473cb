import type { WordVectors } from '@cp/memory-plane/embedding';
import { prng } from '@cp/shared/testing';

export const TOPICS = 2000;

/**
 * Synthetic corpus: 2,000 topics of 40 words each (English words of frequency rank 300-40,000);
 * a chunk is 60 words, 70 % from its topic and 30 % common words; a query is 8 words of a topic.
 */
export function syntheticCorpus(vectors: WordVectors, seed = 42) {
  const rnd = prng(seed);
  const word = (lo: number, hi: number) => vectors.wordAt(lo + Math.floor(rnd() * (hi - lo))) ?? 'word';
  const topics = Array.from({ length: TOPICS }, () => Array.from({ length: 40 }, () => word(300, 40_000)));
  const chunk = (i: number) => {
    const t = topics[i % TOPICS];
    return Array.from({ length: 60 }, () => (rnd() < 0.7 ? t[Math.floor(rnd() * t.length)] : word(0, 2000))).join(' ');
  };
  const query = () => {
    const t = topics[Math.floor(rnd() * TOPICS)];
    return Array.from({ length: 8 }, () => t[Math.floor(rnd() * t.length)]).join(' ');
  };
  return { chunk, query };
}
