import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { memoryMode } from './chat-completions.controller';
import { latestUserText, withSystemBlock } from './memory-injector';

const sel = (all: boolean, ...ids: string[]) => ({ all, ids: new Set(ids) });

describe('memoryMode', () => {
  it.each([
    ['memory off for every key, no header', sel(false), sel(false), 'aaaaaaaaaaaa', undefined, undefined],
    ['the key listed', sel(false, 'aaaaaaaaaaaa'), sel(false), 'aaaaaaaaaaaa', undefined, { inject: true, learn: false }],
    ['another key listed', sel(false, 'bbbbbbbbbbbb'), sel(false), 'aaaaaaaaaaaa', undefined, undefined],
    ['x-cp-memory: on for an unlisted key', sel(false), sel(false), 'aaaaaaaaaaaa', 'on', { inject: true, learn: false }],
    ['x-cp-memory: off for a listed key', sel(true), sel(false), 'aaaaaaaaaaaa', ' OFF ', undefined],
    ['learning only', sel(false), sel(false, 'aaaaaaaaaaaa'), 'aaaaaaaaaaaa', undefined, { inject: false, learn: true }],
    ['an unknown header value for a listed key', sel(true), sel(true), 'aaaaaaaaaaaa', 'maybe', { inject: true, learn: true }],
  ])('Given %s, Then the mode is %j', (_c, keys, learn, keyId, header, expected) => {
    expect(memoryMode({ CP_MEMORY_KEYS: keys, CP_MEMORY_LEARN_KEYS: learn }, keyId, header)).toEqual(expected);
  });
});

describe('withSystemBlock', () => {
  const base: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    ['no system message', base, [{ role: 'system', content: 'MEM' }, { role: 'user', content: 'hi' }]],
    ['a leading system message', { ...base, messages: [{ role: 'system', content: 'be brief' }, ...base.messages] }, [{ role: 'system', content: 'be brief\n\nMEM' }, { role: 'user', content: 'hi' }]],
    ['a system message of parts', { ...base, messages: [{ role: 'system', content: [{ type: 'text', text: 'a' }] }, ...base.messages] }, [{ role: 'system', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'MEM' }] }, { role: 'user', content: 'hi' }]],
  ] as [string, ChatCompletionRequest, unknown][])('Given %s, Then one memory block is in the system prompt', (_c, request, messages) => {
    expect(withSystemBlock(request, 'MEM').messages).toEqual(messages);
  });
});

describe('latestUserText', () => {
  it('Given several turns with parts, Then the last user message text parts are joined', () => {
    const request = { model: 'm', messages: [{ role: 'user', content: 'old' }, { role: 'assistant', content: 'x' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }, { type: 'text', text: 'b' }] }] } as ChatCompletionRequest;
    expect(latestUserText(request)).toBe('a\nb');
  });
});
