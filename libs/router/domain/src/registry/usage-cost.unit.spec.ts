import { usageCostUsd } from './usage-cost';

describe('usageCostUsd', () => {
  it('Given tokens and a price per million, When costed, Then prompt and completion are billed at their own price', () => {
    expect(usageCostUsd({ prompt_tokens: 1_000_000, completion_tokens: 500_000, total_tokens: 1_500_000 }, { input: 2.5, output: 10 })).toBe(7.5);
  });

  it('Given a small call, When costed, Then the result is exact to the nano-dollar', () => {
    expect(usageCostUsd({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 }, { input: 0.3, output: 2.5 })).toBe(0.0000096);
    expect(usageCostUsd({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, { input: 0.1, output: 0.2 })).toBe(0.0000003);
  });

  it('Given a free local model, When costed, Then it costs nothing', () => {
    expect(usageCostUsd({ prompt_tokens: 100, completion_tokens: 100, total_tokens: 200 }, { input: 0, output: 0 })).toBe(0);
  });
});
