import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { withinOutputLimit } from './output-limit';

const base: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

describe('withinOutputLimit', () => {
  it('Given no token limit or one within the model\'s, When checked, Then the same request comes back unclamped', () => {
    expect(withinOutputLimit(base, 100)).toEqual({ request: base });
    const within = { ...base, max_tokens: 100 };
    expect(withinOutputLimit(within, 100).request).toBe(within);
  });

  it('Given max_completion_tokens above the model\'s limit, When checked, Then it is lowered and the clamp says what was asked', () => {
    expect(withinOutputLimit({ ...base, max_completion_tokens: 1_000_000 }, 8192)).toEqual({ request: { ...base, max_completion_tokens: 8192 }, clamped: { field: 'max_completion_tokens', requested: 1_000_000, sent: 8192 } });
  });

  it('Given both fields above the limit, When checked, Then both are lowered and max_completion_tokens is the one recorded', () => {
    const out = withinOutputLimit({ ...base, max_tokens: 500, max_completion_tokens: 900 }, 100);
    expect(out.request).toMatchObject({ max_tokens: 100, max_completion_tokens: 100 });
    expect(out.clamped).toEqual({ field: 'max_completion_tokens', requested: 900, sent: 100 });
  });

  it('Given only max_tokens above the limit, When checked, Then it is lowered and recorded', () => {
    expect(withinOutputLimit({ ...base, max_tokens: 101 }, 100).clamped).toEqual({ field: 'max_tokens', requested: 101, sent: 100 });
  });
});
