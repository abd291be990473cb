import type { ChatMessage } from '@cp/shared/contracts';
import { adapterFor, type ModelSpec, type ResolvedProvider } from '@cp/router/domain';
import { orphans, splitTurns } from './conversation-turns';
import { shapeMessages, type MessageCosts } from './shape-messages';

/** One token per 10 characters, one byte per character: sizes are easy to read in the tables. */
const costsOf = (messages: ChatMessage[]): MessageCosts => {
  const size = (m: ChatMessage) => {
    const text = typeof m.content === 'string' ? m.content : '';
    const calls = m.role === 'assistant' ? (m.tool_calls ?? []).length * 10 : 0;
    return { tokens: Math.ceil(text.length / 10) + calls, bytes: text.length };
  };
  return { tokens: (i) => size(messages[i]).tokens, bytes: (i) => size(messages[i]).bytes, measure: size };
};
const x = (n: number) => 'x'.repeat(n);
const call = (id: string): ChatMessage => ({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'lookup', arguments: '{}' } }] });
const result = (id: string, text = 'result'): ChatMessage => ({ role: 'tool', tool_call_id: id, content: text });
const goal = (targetTokens: number, budgetTokens = targetTokens) => ({ targetTokens, targetBytes: Number.POSITIVE_INFINITY, budgetTokens, fixedTokens: 0, minCutChars: 100 });

const AGENT_CONVERSATION: ChatMessage[] = [
  { role: 'system', content: 'You are an agent.' }, // 0
  { role: 'user', content: x(1000) }, // 1  turn A
  call('a1'), // 2
  result('a1', x(1000)), // 3
  { role: 'assistant', content: 'done A' }, // 4
  { role: 'user', content: x(1000) }, // 5  turn B
  call('b1'), // 6
  result('b1', x(1000)), // 7
  { role: 'developer', content: 'Be brief.' }, // 8
  { role: 'user', content: 'the newest question' }, // 9  newest turn
  call('c1'), // 10
  result('c1', 'fresh result'), // 11
];

describe('splitTurns', () => {
  it.each([
    ['an agent conversation', AGENT_CONVERSATION, [1, 5], 9],
    ['a conversation that starts with the assistant', [{ role: 'assistant', content: 'hi' }, { role: 'user', content: 'q1' }, { role: 'user', content: 'q2' }] as ChatMessage[], [0, 1], 2],
    ['no user message at all', [{ role: 'system', content: 's' }, { role: 'assistant', content: 'a' }] as ChatMessage[], [], 1],
  ])('given %s, then the older turns start at user messages and the newest at the last one', (_name, messages, olderStarts, newestStart) => {
    expect(splitTurns(messages)).toEqual({ olderStarts, newestStart });
  });
});

describe('orphans', () => {
  const kept = (n: number, dropped: number[]) => Array.from({ length: n }, (_, i) => !dropped.includes(i));
  it.each([
    ['nothing dropped', [call('a'), result('a')], [], []],
    ['the call dropped: its result is an orphan', [call('a'), result('a')], [0], [1]],
    ['the result dropped: its call is an orphan', [call('a'), result('a')], [1], [0]],
    ['a result the client sent without any call is not ours to judge', [result('zz')], [], []],
  ])('given %s, then the orphans are listed', (_name, messages, dropped, expected) => {
    expect(orphans(messages as ChatMessage[], kept(messages.length, dropped as number[]))).toEqual(expected);
  });
});

describe('shapeMessages', () => {
  it.each([
    // target tokens, dropped, why
    [10_000, [], 'everything fits'],
    [250, [1, 2, 3, 4], 'turn A (the oldest) goes whole, turn B fits'],
    [150, [1, 2, 3, 4, 5, 6, 7], 'both older turns go; system, developer and the newest turn stay'],
  ])('given a target of %i tokens, then the oldest turns are dropped whole (%j: %s)', (target, dropped) => {
    const shaped = shapeMessages(AGENT_CONVERSATION, costsOf(AGENT_CONVERSATION), goal(target));
    expect(shaped.dropped).toEqual(dropped);
    expect(shaped.cut).toEqual([]);
    expect(shaped.messages[0]).toBe(AGENT_CONVERSATION[0]);
    expect(shaped.messages.slice(-4)).toEqual(AGENT_CONVERSATION.slice(8));
    expect(orphans(shaped.messages, shaped.messages.map(() => true))).toEqual([]);
  });

  it('given a user message between a call and its result, when the turn with the call is dropped, then the result goes too', () => {
    const messages: ChatMessage[] = [call('a'), { role: 'user', content: x(100) }, result('a'), { role: 'user', content: 'newest' }];
    const shaped = shapeMessages(messages, costsOf(messages), goal(15));
    expect(shaped.dropped).toEqual([0, 2]);
    expect(shaped.messages.map((m) => m.role)).toEqual(['user', 'user']);
  });

  it('given a single message larger than the budget in the newest turn, then it is cut in the middle with a visible marker, head and tail kept', () => {
    const big = `HEAD${x(20_000)}TAIL`;
    const messages: ChatMessage[] = [{ role: 'system', content: 'sys' }, { role: 'user', content: 'old' }, { role: 'user', content: big }];
    const shaped = shapeMessages(messages, costsOf(messages), goal(1000));
    expect(shaped.dropped).toEqual([1]);
    expect(shaped.cut).toEqual([2]);
    const text = shaped.messages[1].content as string;
    expect(text.startsWith('HEAD')).toBe(true);
    expect(text.endsWith('TAIL')).toBe(true);
    expect(text).toContain('characters cut here by the control plane');
    expect(shaped.tokens).toBeLessThanOrEqual(1000);
  });

  it('given older turns that fit the budget but not the target, then nothing is cut: cuts only happen over the budget', () => {
    const shaped = shapeMessages(AGENT_CONVERSATION, costsOf(AGENT_CONVERSATION), goal(10, 10_000));
    expect(shaped.cut).toEqual([]);
    expect(shaped.dropped).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('given system messages and a newest turn that cannot be cut below the budget, then the result stays over it (the caller answers 400)', () => {
    const messages: ChatMessage[] = [{ role: 'system', content: x(5000) }, { role: 'user', content: x(5000) }];
    const shaped = shapeMessages(messages, costsOf(messages), { ...goal(50), minCutChars: 2000 });
    expect(shaped.cut).toEqual([0, 1]);
    expect(shaped.tokens).toBeGreaterThan(50);
  });

  it('given a byte target, then turns are dropped until the bytes fit it too', () => {
    const shaped = shapeMessages(AGENT_CONVERSATION, costsOf(AGENT_CONVERSATION), { ...goal(10_000), targetBytes: 2100 });
    expect(shaped.dropped).toEqual([1, 2, 3, 4]);
    expect(shaped.bytes).toBeLessThanOrEqual(2100);
  });
});

describe('shaped conversations stay valid for each wire', () => {
  const model: ModelSpec = { id: 'm', capabilities: { tools: true, vision: true, streaming: true, jsonMode: true }, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 0, output: 0 } };
  const provider = (wire: 'anthropic' | 'gemini'): ResolvedProvider => ({ id: wire, wire, baseUrl: 'http://sim.invalid', configuredBaseUrl: 'http://sim.invalid', apiKeyEnv: 'X', simulated: true, timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1 }, models: [model] });
  const targets = [150, 250, 10_000];

  it.each(targets)('given a target of %i tokens, then the Anthropic body starts with a user turn after the system and alternates', (target) => {
    const shaped = shapeMessages(AGENT_CONVERSATION, costsOf(AGENT_CONVERSATION), goal(target));
    const body = adapterFor('anthropic').buildRequest({ model: 'm', messages: shaped.messages }, model, provider('anthropic')).body as { system?: string; messages: { role: string; content: { type: string; tool_use_id?: string; id?: string }[] }[] };
    expect(body.system).toContain('You are an agent.');
    expect(body.messages[0].role).toBe('user');
    body.messages.forEach((m, i) => i > 0 && expect(m.role).not.toBe(body.messages[i - 1].role));
    const uses = new Set(body.messages.flatMap((m) => m.content.filter((c) => c.type === 'tool_use').map((c) => c.id)));
    for (const m of body.messages) for (const c of m.content) if (c.type === 'tool_result') expect(uses.has(c.tool_use_id)).toBe(true);
  });

  it.each(targets)('given a target of %i tokens, then the Gemini body starts with a user turn, alternates, and every function response follows its call', (target) => {
    const shaped = shapeMessages(AGENT_CONVERSATION, costsOf(AGENT_CONVERSATION), goal(target));
    const body = adapterFor('gemini').buildRequest({ model: 'm', messages: shaped.messages }, model, provider('gemini')).body as { contents: { role: string; parts: Record<string, unknown>[] }[] };
    expect(body.contents[0].role).toBe('user');
    body.contents.forEach((c, i) => i > 0 && expect(c.role).not.toBe(body.contents[i - 1].role));
    const calls = body.contents.flatMap((c) => c.parts.filter((p) => 'functionCall' in p)).length;
    const responses = body.contents.flatMap((c) => c.parts.filter((p) => 'functionResponse' in p)).length;
    expect(responses).toBe(calls);
  });
});
