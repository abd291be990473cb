import { ApiKeys } from './api-keys';

describe('ApiKeys', () => {
  const keys = new ApiKeys(['sk-first-key-0001', 'sk-second-key-0002']);

  describe('check', () => {
    it('given either configured key as a bearer token, when checked, then ok', () => {
      expect(keys.check('Bearer sk-first-key-0001')).toBe('ok');
      expect(keys.check('bearer   sk-second-key-0002')).toBe('ok');
    });

    it('given another token, a prefix or a longer one, when checked, then invalid', () => {
      expect(keys.check('Bearer sk-first-key-000')).toBe('invalid');
      expect(keys.check('Bearer sk-first-key-00011')).toBe('invalid');
      expect(keys.check('Bearer x')).toBe('invalid');
    });

    it('given no header, another scheme or extra words, when checked, then missing', () => {
      expect(keys.check(undefined)).toBe('missing');
      expect(keys.check('Basic sk-first-key-0001')).toBe('missing');
      expect(keys.check('Bearer sk-first-key-0001 extra')).toBe('missing');
      expect(keys.check('')).toBe('missing');
    });
  });

  describe('identify', () => {
    it('Given a valid key, Then its id is the first 12 hex digits of its SHA-256; an invalid or missing key has none', () => {
      const id = require('node:crypto').createHash('sha256').update('sk-second-key-0002').digest('hex').slice(0, 12);
      expect(keys.identify('Bearer sk-second-key-0002')).toEqual({ check: 'ok', keyId: id });
      expect(keys.identify('Bearer sk-wrong-key-9999')).toEqual({ check: 'invalid' });
      expect(keys.identify(undefined)).toEqual({ check: 'missing' });
    });
  });
});
