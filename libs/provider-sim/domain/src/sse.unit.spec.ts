import { sseEvent, truncateFrame } from './sse';

describe('truncateFrame', () => {
  it('Given a named event, When truncated, Then the event line stays and the data no longer parses', () => {
    const frame = truncateFrame(sseEvent('message_start', { type: 'message_start', message: { id: 'msg_1' } }));
    expect(frame.startsWith('event: message_start\ndata: {')).toBe(true);
    expect(frame.endsWith('\n\n')).toBe(true);
    expect(() => JSON.parse(frame.trimEnd().split('\n')[1].slice('data: '.length))).toThrow(SyntaxError);
  });
});
