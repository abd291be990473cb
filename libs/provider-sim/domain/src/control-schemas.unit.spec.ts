import { FaultSpec, ScriptRequest } from './control-schemas';

describe('FaultSpec', () => {
  it('Given a rate_limit without retryAfterSeconds, When parsed, Then it defaults to 1 second', () => {
    expect(FaultSpec.parse({ type: 'rate_limit' })).toEqual({ type: 'rate_limit', retryAfterSeconds: 1 });
  });

  it('Given an unknown fault type, When parsed, Then it is rejected', () => {
    expect(FaultSpec.safeParse({ type: 'explode' }).success).toBe(false);
  });

  it('Given times of 0, When parsed, Then it is rejected', () => {
    expect(FaultSpec.safeParse({ type: 'reset', times: 0 }).success).toBe(false);
  });

  it('Given a status outside 400-599, When parsed, Then it is rejected', () => {
    expect(FaultSpec.safeParse({ type: 'status', status: 200 }).success).toBe(false);
  });
});

describe('ScriptRequest', () => {
  it('Given tool calls with string and object arguments, When parsed, Then both are kept as given', () => {
    const parsed = ScriptRequest.parse({ replies: [{ toolCalls: [{ name: 'a', arguments: '{bad' }, { name: 'b', arguments: { x: 1 } }] }] });
    expect(parsed.replies[0].toolCalls).toEqual([{ name: 'a', arguments: '{bad' }, { name: 'b', arguments: { x: 1 } }]);
  });
});
