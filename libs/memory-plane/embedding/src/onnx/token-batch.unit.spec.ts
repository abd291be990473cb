import { meanPool, padBatch, splitRows, truncateTokens } from './token-batch';

describe('token-batch', () => {
  describe('truncateTokens', () => {
    it('Given [CLS] a b c d [SEP] and a limit of 4 with one closing token, When cut, Then [CLS] a b [SEP] stays, with its mask and segment ids', () => {
      const t = { ids: [101, 1, 2, 3, 4, 102], mask: [1, 1, 1, 1, 1, 1], typeIds: [0, 0, 0, 0, 0, 9] };
      expect(truncateTokens(t, 4, 1)).toEqual({ ids: [101, 1, 2, 102], mask: [1, 1, 1, 1], typeIds: [0, 0, 0, 9] });
    });

    it('Given a text within the limit, When cut, Then it is returned as it is', () => {
      const t = { ids: [101, 1, 102], mask: [1, 1, 1] };
      expect(truncateTokens(t, 3, 1)).toBe(t);
    });
  });

  describe('padBatch', () => {
    it('Given texts of 3 and 1 tokens, When padded with id 0, Then both rows have length 3 with mask 0 and segment 0 on the padding', () => {
      const b = padBatch([{ ids: [5, 6, 7], mask: [1, 1, 1], typeIds: [0, 1, 1] }, { ids: [8], mask: [1] }], 0);
      expect(b).toEqual({ rows: 2, length: 3, ids: [5, 6, 7, 8, 0, 0], mask: [1, 1, 1, 1, 0, 0], typeIds: [0, 1, 1, 0, 0, 0] });
    });
  });

  describe('meanPool', () => {
    it('Given token vectors where the padding holds large values, When pooled with the mask, Then only masked-in tokens count', () => {
      // rows 2, length 2, dim 2: row 0 = [1,3], [3,5]; row 1 = [2,2], padding [100,100]
      const hidden = [1, 3, 3, 5, 2, 2, 100, 100];
      const [a, b] = meanPool(hidden, [1, 1, 1, 0], 2, 2, 2);
      expect(Array.from(a)).toEqual([2, 4]);
      expect(Array.from(b)).toEqual([2, 2]);
    });

    it('Given a row with no masked-in token, When pooled, Then its vector is zero rather than NaN', () => {
      const [v] = meanPool([1, 1], [0], 1, 1, 2);
      expect(Array.from(v)).toEqual([0, 0]);
    });
  });

  describe('splitRows', () => {
    it('Given a [2, 3] output, When split, Then each row is its own vector', () => {
      expect(splitRows([1, 2, 3, 4, 5, 6], 2, 3).map((v) => Array.from(v))).toEqual([[1, 2, 3], [4, 5, 6]]);
    });
  });
});
