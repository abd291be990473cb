import { dataClean, normaliseDate, normaliseNumber } from './data-clean';

describe('dataClean', () => {
  it('Given text, it trims, applies NFC, collapses whitespace, drops empty and duplicate lines, normalises numbers and dates', () => {
    const out = dataClean({ text: '  Cafe\u0301   paid 1,234.50 on 03/04/2024 \n\n\tCafé paid 1234.5 on 2024-04-03\nJan 5, 2024 total +007\n' });
    expect(out).toEqual({
      ok: true,
      text: 'Café paid 1234.5 on 2024-04-03\n2024-01-05 total 7',
      report: expect.objectContaining({ rowsIn: 5, rowsOut: 2, emptyRowsDropped: 2, duplicateRowsDropped: 1, unicodeNormalized: 1, numbersNormalized: 2, datesNormalized: 2 }),
    });
  });

  it('Given rows, it drops empty rows and columns, de-duplicates, and types numbers and dates', () => {
    const out = dataClean({ rows: [[' a ', '', '1,000', '5.1.2024'], ['a', null, '1000', '2024-01-05'], ['', ' ', null, ''], ['b', '', 'x  y', 'Feb 30, 2024']] });
    expect(out).toEqual({
      ok: true,
      rows: [['a', 1000, '2024-01-05'], ['b', 'x y', 'Feb 30, 2024']],
      report: expect.objectContaining({ rowsIn: 4, rowsOut: 2, emptyRowsDropped: 1, emptyColumnsDropped: 1, duplicateRowsDropped: 1 }),
    });
  });

  it('reads slashed dates day-first unless told mdy', () => {
    expect(normaliseDate('03/04/2024', 'dmy')).toBe('2024-04-03');
    expect(normaliseDate('03/04/2024', 'mdy')).toBe('2024-03-04');
    expect(normaliseDate('31/02/2024', 'dmy')).toBeUndefined();
    expect(normaliseDate('7 March 2025', 'dmy')).toBe('2025-03-07');
  });

  it('normalises plain numbers only', () => {
    expect(normaliseNumber('1,234,567.80')).toBe('1234567.8');
    expect(normaliseNumber('12,34')).toBeUndefined();
    expect(normaliseNumber('1e5')).toBeUndefined();
  });

  it('Given neither or both inputs, it is an error', () => {
    expect(dataClean({})).toEqual({ ok: false, error: expect.stringMatching(/exactly one/) });
    expect(dataClean({ text: 'a', rows: [] })).toEqual({ ok: false, error: expect.stringMatching(/exactly one/) });
  });
});
