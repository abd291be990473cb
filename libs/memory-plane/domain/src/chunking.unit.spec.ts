import { chunkDocument, htmlToText, jsonToText } from './chunking';

describe('chunkDocument', () => {
  it('Given a Markdown document with headings, When chunked, Then each section is its own chunk carrying its heading path', () => {
    const md = '# Guide\n\nIntro text.\n\n## Install\n\nRun the installer.\n\n## Usage\n\nCall the API.';
    const chunks = chunkDocument(md, 'text/markdown');
    expect(chunks.map((c) => c.heading)).toEqual(['Guide', 'Guide > Install', 'Guide > Usage']);
    expect(chunks[1].text).toBe('Guide > Install\n\nRun the installer.');
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('Given paragraphs longer than one chunk, When chunked, Then chunks stay within the size and the next one starts with the tail of the previous', () => {
    const paras = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} ${'word '.repeat(40)}end${i}.`);
    const chunks = chunkDocument(paras.join('\n\n'), 'text/plain', { maxChars: 500, overlapChars: 60 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(500 + 60 + 2);
    for (let i = 1; i < chunks.length; i++) {
      const prevTail = chunks[i - 1].text.slice(-20);
      expect(chunks[i].text).toContain(prevTail.trim().split(' ').pop());
    }
  });

  it.each([
    ['a code fence keeps its # lines as text', '# T\n\n```\n# not a heading\n```', ['T']],
    ['text before any heading has no heading', 'just text\n\n# H\n\nbody', [null, 'H']],
    ['empty sections are dropped', '# A\n\n# B\n\ntext', ['A > B'.replace('A > ', '')]],
  ])('Given %s, When chunked, Then the headings are as expected', (_case, md, headings) => {
    expect(chunkDocument(md as string).map((c) => c.heading)).toEqual(headings);
  });

  it('Given one paragraph of 5000 characters without a sentence end, When chunked, Then it is cut into pieces of at most the size', () => {
    const chunks = chunkDocument('x'.repeat(5000), 'text/plain', { maxChars: 1000, overlapChars: 0 });
    expect(chunks.map((c) => c.text.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
  });
});

describe('htmlToText', () => {
  it('Given HTML with headings, scripts and entities, When converted, Then headings become # lines and scripts vanish', () => {
    const text = htmlToText('<html><script>alert(1)</script><h2>Title &amp; more</h2><p>One&nbsp;two</p><p>Three</p></html>');
    expect(text).toContain('## Title & more');
    expect(text).not.toContain('alert');
    expect(chunkDocument('<h1>T</h1><p>a</p><p>b</p>', 'text/html')[0]).toMatchObject({ heading: 'T', text: 'T\n\na\n\nb' });
  });
});

describe('jsonToText', () => {
  it('Given nested JSON, When converted, Then each leaf is a path: value line, one paragraph per top-level key', () => {
    expect(jsonToText('{"a":{"b":1,"c":["x","y"]},"d":"e"}')).toBe('a.b: 1\na.c[0]: x\na.c[1]: y\n\nd: e');
  });

  it('Given JSON nested past the bound, When converted, Then it stops descending instead of recursing', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(() => jsonToText(deep, 8)).not.toThrow();
  });

  it('Given text that is not JSON, When converted, Then it is kept as it is', () => {
    expect(jsonToText('not json')).toBe('not json');
  });
});
