import { extractPreferences, supersededBy } from './preferences';

describe('extractPreferences', () => {
  it.each([
    ['I prefer TypeScript over JavaScript.', 'typescript', 'positive', 'prefer'],
    ['Always answer in British English', 'british english', 'positive', 'always'],
    ['Never use MySQL for new services.', 'mysql', 'negative', 'never'],
    ["Don't use semicolons in examples", 'semicolons examples', 'negative', 'dont'],
    ['Please use metric units.', 'metric units', 'positive', 'please-use'],
    ["I'd prefer short answers", 'short answers', 'positive', 'prefer'],
  ])('Given "%s", Then the subject is "%s" (%s, rule %s)', (message, subject, polarity, rule) => {
    expect(extractPreferences(message)).toEqual([expect.objectContaining({ subject, polarity, rule })]);
  });

  it.each([['Do you always answer in French?'], ["I don't know what to do"], ['What are my projects?'], ['']])('Given "%s", Then no preference is found', (message) => {
    expect(extractPreferences(message)).toEqual([]);
  });

  it('Given a long message of many sentences, Then at most 50 sentences are looked at', () => {
    expect(extractPreferences('Never use X1. '.repeat(500)).length).toBe(50);
  });
});

describe('supersededBy', () => {
  const existing = [
    { id: 'old', subject: 'mysql', createdAt: '2026-01-01T00:00:00Z', supersededBy: null },
    { id: 'other', subject: 'tabs', createdAt: '2026-01-01T00:00:00Z', supersededBy: null },
    { id: 'gone', subject: 'mysql', createdAt: '2025-01-01T00:00:00Z', supersededBy: 'old' },
  ];
  it.each([
    ['a newer statement on the same subject', { subject: 'mysql', at: '2026-06-01T00:00:00Z' }, ['old']],
    ['an older statement arriving late', { subject: 'mysql', at: '2025-06-01T00:00:00Z' }, []],
    ['another subject', { subject: 'go', at: '2026-06-01T00:00:00Z' }, []],
  ])('Given %s, Then it supersedes %j', (_c, incoming, ids) => {
    expect(supersededBy(incoming, existing)).toEqual(ids);
  });
});
