import { bm25Idf, planKeywordQuery } from './keyword-plan';

describe('bm25Idf', () => {
  it('Given a corpus of 1,000 chunks, Then a rarer word weighs more and a word in every chunk almost nothing', () => {
    expect(bm25Idf(1, 1000)).toBeGreaterThan(bm25Idf(10, 1000));
    expect(bm25Idf(10, 1000)).toBeGreaterThan(bm25Idf(500, 1000));
    expect(bm25Idf(1000, 1000)).toBeLessThan(0.001);
    expect(bm25Idf(1000, 1000)).toBeGreaterThan(0);
  });

  it('Given statistics older than the word (df above the chunk count), Then the weight stays positive', () => {
    expect(bm25Idf(50, 10)).toBeGreaterThan(0);
  });
});

describe('planKeywordQuery', () => {
  const stats = [
    { query: "'cach'", df: 400 },
    { query: "'err' <-> 'cach'", df: 3 },
    { query: "'catalogu'", df: 150 },
    { query: "'servic'", df: 9000 },
  ];

  it('Given words of different frequency, When planned within a budget of 600 rows, Then the rarest fetch candidates and the frequent ones only weigh', () => {
    const plan = planKeywordQuery(stats, 10_000, 600);
    expect(plan.candidates).toBe("('err' <-> 'cach') | ('catalogu') | ('cach')");
    expect(plan.expectedRows).toBe(553);
    expect(plan.terms.map((t) => t.query)).toEqual(stats.map((s) => s.query));
    expect(plan.terms[1].idf).toBeGreaterThan(plan.terms[2].idf);
    expect(plan.totalWeight).toBeCloseTo(plan.terms.reduce((s, t) => s + t.idf, 0), 9);
  });

  it('Given a smaller budget, Then fewer words fetch candidates, but all of them still weigh', () => {
    const plan = planKeywordQuery(stats, 10_000, 200);
    expect(plan.candidates).toBe("('err' <-> 'cach') | ('catalogu')");
    expect(plan.terms).toHaveLength(4);
  });

  it('Given only words above the budget, Then the rarest of them still fetches candidates', () => {
    const plan = planKeywordQuery([{ query: "'servic'", df: 9000 }, { query: "'team'", df: 7000 }], 10_000, 600);
    expect(plan.candidates).toBe("('team')");
    expect(plan.expectedRows).toBe(7000);
  });

  it('Given words the statistics do not know (new since, or found nowhere), Then they fetch candidates without using the budget', () => {
    const plan = planKeywordQuery([{ query: "'servic'", df: 9000 }, { query: "'zebra'", df: 0 }, { query: "'catalogu'", df: 150 }], 10_000, 200);
    expect(plan.candidates).toBe("('zebra') | ('catalogu')");
    expect(plan.expectedRows).toBe(150);
  });

  it('Given the same word twice and no words at all, Then it counts once, and nothing is planned for none', () => {
    expect(planKeywordQuery([{ query: "'cach'", df: 4 }, { query: "'cach'", df: 4 }], 100).terms).toHaveLength(1);
    expect(planKeywordQuery([], 100)).toEqual({ candidates: '', terms: [], totalWeight: 0, expectedRows: 0 });
  });
});
