import { UUID } from 'uuidv7';
import { z } from 'zod';
import { IdGenerator, newId } from './ids';

const timestampOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('IdGenerator', () => {
  describe('next', () => {
    it('given a clock, then each id is a valid UUIDv7 whose timestamp is that millisecond', () => {
      const ms = Date.UTC(2026, 11, 3, 8, 30);
      const id = new IdGenerator(() => ms).next();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(z.uuid().safeParse(id).success).toBe(true);
      const parsed = UUID.parse(id);
      expect(parsed.getVariant()).toBe('VAR_10');
      expect(parsed.getVersion()).toBe(7);
      expect(timestampOf(id)).toBe(ms);
    });

    it('given many ids within one millisecond, then they sort in the order they were made', () => {
      const gen = new IdGenerator(() => 1_700_000_000_000);
      const ids = Array.from({ length: 5000 }, () => gen.next());
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('given the clock goes back a little, then ids keep increasing on the last timestamp', () => {
      let now = 1_700_000_000_500;
      const gen = new IdGenerator(() => now);
      const before = gen.next();
      now -= 300;
      const after = gen.next();
      expect(after > before).toBe(true);
      expect(timestampOf(after)).toBe(1_700_000_000_500);
    });

    it('given the counter of a millisecond is used up, then the next id moves to the next millisecond and still sorts after', () => {
      // All-ones random bits start the counter at its maximum.
      const gen = new IdGenerator(() => 1_700_000_000_000, (buf) => buf.fill(0xffffffff));
      const last = gen.next();
      const next = gen.next();
      expect(next > last).toBe(true);
      expect(timestampOf(next)).toBe(1_700_000_000_001);
    });

    it('given more ids than one pool of random bits holds, then the pool is refilled and ids stay unique', () => {
      let fills = 0;
      let seed = 1;
      const gen = new IdGenerator(
        () => 1_700_000_000_000,
        (buf) => {
          fills++;
          for (let i = 0; i < buf.length; i++) buf[i] = (seed = (seed * 1103515245 + 12345) >>> 0);
        },
      );
      const ids = new Set(Array.from({ length: 3000 }, () => gen.next()));
      expect(ids.size).toBe(3000);
      expect(fills).toBe(3);
    });
  });
});

describe('newId', () => {
  it('given 100,000 calls on the real clock, then every id is unique and they come out sorted', () => {
    const ids = Array.from({ length: 100_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
  });
});
