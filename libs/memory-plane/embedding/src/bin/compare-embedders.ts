import { reciprocalRankFusion } from '@cp/memory-plane/domain';
import { contentWords } from '@cp/memory-plane/domain';
import { ConcatEmbedder } from '../concat-embedder';
import { cosine, type Embedder } from '../embedder';
import { EVAL_DOCS, EVAL_QUERIES } from '../eval/kb-eval-set';
import { metricsByKind, negativeSeparation, type Ranking } from '../eval/metrics';
import { LexicalHashEmbedder } from '../lexical-hash-embedder';
import { OnnxEmbedder } from '../onnx/onnx-embedder';
import { WordVectorEmbedder } from '../word-vector-embedder';
import { WordVectors } from '../word-vectors';

/**
 * `node dist/libs/memory-plane/embedding/src/bin/compare-embedders.js`: the embedder comparison of
 * docs/memory.md, in memory (no database): vector-only ranking per embedder, and hybrid = the
 * vector ranking fused (RRF) with a BM25 keyword ranking, on the labelled evaluation set.
 * `--onnx <folder>` adds a local ONNX sentence model (model.onnx + tokenizer.json) to the candidates.
 */
async function main(): Promise<void> {
  const vectors = WordVectors.load();
  const lex = new LexicalHashEmbedder(256);
  const sif = new WordVectorEmbedder(vectors, 'sif');
  const candidates: Embedder[] = [
    new WordVectorEmbedder(vectors, 'mean'),
    sif,
    lex,
    new ConcatEmbedder([{ embedder: sif, weight: 0.5 }, { embedder: lex, weight: 0.5 }], 'static-sif-lex'),
    new ConcatEmbedder([{ embedder: sif, weight: 0.7 }, { embedder: lex, weight: 0.3 }], 'static-sif-lex-w7'),
  ];
  const onnxDir = process.argv[process.argv.indexOf('--onnx') + 1];
  if (process.argv.includes('--onnx') && onnxDir) candidates.push(await OnnxEmbedder.load(onnxDir));
  const docTexts = EVAL_DOCS.map((d) => `${d.title}\n\n${d.content}`);
  const bm25 = new Bm25(docTexts);
  const rows: Record<string, unknown>[] = [];
  for (const e of candidates) {
    const started = performance.now();
    const docVecs = await e.embed(docTexts);
    const queryVecs = await e.embed(EVAL_QUERIES.map((q) => q.q));
    const ms = performance.now() - started;
    const vectorRank: Ranking[] = [];
    const hybridRank: Ranking[] = [];
    EVAL_QUERIES.forEach((query, qi) => {
      const scored = docVecs.map((v, i) => ({ id: EVAL_DOCS[i].id, s: cosine(queryVecs[qi], v) })).sort((a, b) => b.s - a.s);
      vectorRank.push({ query, ids: scored.map((x) => x.id), topScore: scored[0].s });
      const kw = bm25.rank(query.q).map((i) => EVAL_DOCS[i].id);
      hybridRank.push({ query, ids: reciprocalRankFusion([scored.slice(0, 20).map((x) => x.id), kw.slice(0, 20)]).map((f) => f.id), topScore: scored[0].s });
    });
    const v = metricsByKind(vectorRank);
    const h = metricsByKind(hybridRank);
    rows.push({ embedder: e.id, dim: e.dimension, vecR5: v.all.recallAt5, vecMRR: v.all.mrr, paraR5: v.paraphrase.recallAt5, kwR5: v.keyword.recallAt5, hybR5: h.all.recallAt5, hybMRR: h.all.mrr, hybParaR5: h.paraphrase.recallAt5, ...negativeSeparation(vectorRank), msPerText: +(ms / (docTexts.length + EVAL_QUERIES.length)).toFixed(3) });
  }
  const kwOnly: Ranking[] = EVAL_QUERIES.map((query) => ({ query, ids: bm25.rank(query.q).map((i) => EVAL_DOCS[i].id), topScore: 0 }));
  console.table(rows);
  console.log('keyword-only (BM25):', JSON.stringify(metricsByKind(kwOnly)));
}

/** Okapi BM25 over content words, for the in-memory comparison only (the service uses Postgres full-text search). */
class Bm25 {
  private readonly docs: Map<string, number>[];
  private readonly df = new Map<string, number>();
  private readonly avg: number;
  constructor(texts: string[]) {
    this.docs = texts.map((t) => {
      const m = new Map<string, number>();
      for (const w of contentWords(t)) m.set(w, (m.get(w) ?? 0) + 1);
      return m;
    });
    for (const d of this.docs) for (const w of d.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
    this.avg = this.docs.reduce((s, d) => s + [...d.values()].reduce((a, b) => a + b, 0), 0) / this.docs.length;
  }
  rank(q: string): number[] {
    const terms = contentWords(q);
    const n = this.docs.length;
    return this.docs
      .map((d, i) => {
        const len = [...d.values()].reduce((a, b) => a + b, 0);
        let s = 0;
        for (const t of terms) {
          const tf = d.get(t) ?? 0;
          if (!tf) continue;
          const idf = Math.log(1 + (n - (this.df.get(t) ?? 0) + 0.5) / ((this.df.get(t) ?? 0) + 0.5));
          s += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * (len / this.avg)));
        }
        return { i, s };
      })
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s)
      .map((x) => x.i);
  }
}

void main();
