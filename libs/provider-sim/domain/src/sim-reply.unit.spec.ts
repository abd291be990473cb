import { argumentsAsObject, argumentsAsString, echoText, toSimReply, usageFor } from './sim-reply';

describe('echoText', () => {
  it('Given a last user text without images, When echoed, Then it is prefixed with "echo: "', () => {
    expect(echoText({ lastUserText: 'hi', lastUserImages: 0, promptChars: 2 })).toBe('echo: hi');
  });

  it('Given two images in the last user message, When echoed, Then the image count is appended', () => {
    expect(echoText({ lastUserText: 'look', lastUserImages: 2, promptChars: 4 })).toBe('echo: look [images: 2]');
  });
});

describe('arguments conversion', () => {
  it('Given malformed string arguments, When rendered for OpenAI, Then they pass through verbatim', () => {
    expect(argumentsAsString('{"a":')).toBe('{"a":');
  });

  it('Given malformed string arguments, When rendered for object formats, Then they become {}', () => {
    expect(argumentsAsObject('{"a":')).toEqual({});
  });

  it('Given a JSON array string, When rendered for object formats, Then it becomes {}', () => {
    expect(argumentsAsObject('[1,2]')).toEqual({});
  });

  it('Given object arguments, When rendered for OpenAI, Then they are serialised', () => {
    expect(argumentsAsString({ city: 'Oslo' })).toBe('{"city":"Oslo"}');
  });
});

describe('usageFor', () => {
  it('Given 10 prompt chars and a 17-char reply, When counted, Then 3 prompt and 5 completion tokens', () => {
    const usage = usageFor({ lastUserText: '', lastUserImages: 0, promptChars: 10 }, { content: 'echo: hello there', toolCalls: [] });
    expect(usage).toEqual({ prompt: 3, completion: 5 });
  });

  it('Given a tool call reply, When counted, Then name and arguments count as reply characters', () => {
    const usage = usageFor({ lastUserText: '', lastUserImages: 0, promptChars: 1 }, { content: null, toolCalls: [{ name: 'abcd', arguments: '{"x":1234}' }] });
    expect(usage.completion).toBe(4);
  });
});

describe('toSimReply', () => {
  it('Given only tool calls, When converted, Then content is null', () => {
    expect(toSimReply({ toolCalls: [{ name: 'f', arguments: {} }] }).content).toBeNull();
  });

  it('Given neither content nor tool calls, When converted, Then content is empty text', () => {
    expect(toSimReply({})).toEqual({ content: '', toolCalls: [] });
  });
});
