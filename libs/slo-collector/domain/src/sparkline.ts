const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline of a series (nulls as spaces), scaled between its own minimum and maximum. */
export function sparkline(values: (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return ' '.repeat(values.length);
  const min = Math.min(...present);
  const span = Math.max(...present) - min;
  return values.map((v) => (v === null ? ' ' : BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))])).join('');
}
