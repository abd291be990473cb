import { REDACTED, SecretRedactor, upstreamText } from './secrets';

const OPENAI = `sk-${'A1b2C3d4'.repeat(6)}`;
const PROJECT = `sk-proj-${'x9Y8'.repeat(30)}`;
const ANTHROPIC = `sk-ant-api03-${'Zz09_-'.repeat(14)}`;
const GOOGLE = `AIza${'SyD3k'.repeat(7)}`;

function redactor(...secrets: string[]): SecretRedactor {
  const r = new SecretRedactor();
  r.add(secrets);
  return r;
}

describe('SecretRedactor', () => {
  describe('redact', () => {
    it('Given configured keys of any length, short ones included, When text holds them, Then each is replaced wherever it appears', () => {
      const r = redactor('k7Qz', 'abcdefghijklmnop', '');
      expect(r.redact('key k7Qz rejected; also abcdefghijklmnop and k7Qzk7Qz')).toBe(`key ${REDACTED} rejected; also ${REDACTED} and ${REDACTED}${REDACTED}`);
    });

    it('Given no configured key, When text holds key-shaped strings of the known providers, Then each is replaced', () => {
      const text = `openai ${OPENAI}, project ${PROJECT}, anthropic ${ANTHROPIC}, google ${GOOGLE}.`;
      expect(new SecretRedactor().redact(text)).toBe(`openai ${REDACTED}, project ${REDACTED}, anthropic ${REDACTED}, google ${REDACTED}.`);
    });

    it('Given words that merely contain sk- or AIza, When redacted, Then they stay', () => {
      const text = 'task-0123456789abcdefghij and disk-usage and AIzaShort';
      expect(new SecretRedactor().redact(text)).toBe(text);
    });

    it('Given one key inside another, When redacted, Then the longer is replaced whole', () => {
      expect(redactor('secret', 'secret-and-more').redact('x secret-and-more y')).toBe(`x ${REDACTED} y`);
    });

    it('Given a key with characters a regular expression or JSON treats specially, When redacted, Then it is found as is and as JSON escapes it', () => {
      const r = redactor('a.b"c\\d');
      expect(r.redact('raw a.b"c\\d and axb"c\\d')).toBe(`raw ${REDACTED} and axb"c\\d`);
      expect(r.redactJson(JSON.stringify({ m: 'a.b"c\\d' }))).toBe(JSON.stringify({ m: REDACTED }));
    });
  });

  describe('redactJson', () => {
    it('Given a log line with a short numeric key, When redacted, Then strings and property names lose it but numbers stay and the line stays JSON', () => {
      const r = redactor('1234');
      const line = `${JSON.stringify({ level: 30, totalMs: 12345, msg: 'key 1234 refused', nested: [{ '1234': 'x' }] })}\n`;
      const out = r.redactJson(line);
      expect(out.endsWith('\n')).toBe(true);
      expect(JSON.parse(out)).toEqual({ level: 30, totalMs: 12345, msg: `key ${REDACTED} refused`, nested: [{ [REDACTED]: 'x' }] });
    });

    it('Given JSON without any secret, When redacted, Then the same text comes back', () => {
      const text = JSON.stringify({ msg: 'task-runner', n: 1 });
      expect(redactor('zzz').redactJson(text)).toBe(text);
    });

    it('Given text that is not JSON, When redacted, Then it is redacted as plain text', () => {
      expect(redactor('k7Qz').redactJson('{"broken k7Qz')).toBe(`{"broken ${REDACTED}`);
    });

    it('Given a __proto__ property, When redacted, Then it stays a plain property', () => {
      const out = JSON.parse(redactor('k7Qz').redactJson('{"__proto__":{"a":"k7Qz"},"b":"k7Qz"}')) as Record<string, unknown>;
      expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ a: REDACTED });
      expect(out.b).toBe(REDACTED);
    });

    it('Given a document nested 10 000 levels deep, When redacted, Then the walk does not overflow the stack', () => {
      const deep = `${'['.repeat(10_000)}"k7Qz"${']'.repeat(10_000)}`;
      expect(redactor('k7Qz').redactJson(deep)).toBe(`${'['.repeat(10_000)}"${REDACTED}"${']'.repeat(10_000)}`);
    });
  });
});

describe('upstreamText', () => {
  it('Given a provider message with a key straddling the cut, When passed on, Then it is redacted before it is cut', () => {
    const r = redactor('0123456789abcdefghij');
    const text = upstreamText(`${'x'.repeat(290)} 0123456789abcdefghij tail`, 300, r);
    expect(text).toHaveLength(300);
    expect(text).not.toContain('0123456789');
    expect(text).toContain('[redac');
  });

  it('Given a multi-megabyte body, When passed on, Then only a bounded prefix is read and whitespace collapses', () => {
    expect(upstreamText(`a\n\n  b ${'y'.repeat(5_000_000)}`, 10, new SecretRedactor())).toBe('a b yyyyy…');
  });
});
