import { matchProviderRoute, splitInstance } from './routes';

describe('splitInstance', () => {
  it('Given an unprefixed provider path, When split, Then it addresses the default instance', () => {
    expect(splitInstance('/v1/chat/completions')).toEqual({ instance: 'default', rest: '/v1/chat/completions' });
  });

  it('Given a named prefix, When split, Then the instance and provider path are separated', () => {
    expect(splitInstance('/eu-1/v1beta/models/g:generateContent')).toEqual({ instance: 'eu-1', rest: '/v1beta/models/g:generateContent' });
  });

  it('Given an invalid instance name, When split, Then nothing matches', () => {
    expect(splitInstance('/Bad/v1/messages')).toBeNull();
  });
});

describe('matchProviderRoute', () => {
  it('Given a Gemini stream path, When matched, Then the model and streaming come from the path', () => {
    const route = matchProviderRoute('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(route?.kind === 'completion' && [route.format.name, route.hints]).toEqual(['gemini', { model: 'gemini-2.5-flash', stream: true }]);
  });

  it('Given the Anthropic messages path, When matched, Then the anthropic format is chosen', () => {
    const route = matchProviderRoute('POST', '/v1/messages');
    expect(route?.kind === 'completion' && route.format.name).toBe('anthropic');
  });

  it('Given a GET on the chat path, When matched, Then nothing matches', () => {
    expect(matchProviderRoute('GET', '/v1/chat/completions')).toBeNull();
  });
});
