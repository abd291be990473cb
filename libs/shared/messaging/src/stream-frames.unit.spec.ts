import { decodeStreamFrame, encodeChunksFrame, encodeEndFrame } from './stream-frames';

describe('stream frames', () => {
  it('Given one chunk, When encoded and decoded, Then it is a `c` frame holding the text as is', () => {
    const frame = encodeChunksFrame(['{"a":1}']);
    expect(String.fromCharCode(frame[0])).toBe('c');
    expect(decodeStreamFrame(frame)).toEqual({ kind: 'chunks', chunks: ['{"a":1}'] });
  });

  it('Given several chunks, with multi-byte text, newlines and an empty one, When batched, Then they come back in order, byte-exact', () => {
    const chunks = ['{"content":"héllo wörld 👋"}', 'line\nbreak', '', '{"i":3}'];
    const frame = encodeChunksFrame(chunks);
    expect(String.fromCharCode(frame[0])).toBe('b');
    expect(decodeStreamFrame(frame)).toEqual({ kind: 'chunks', chunks });
  });

  it('Given a frame that is a view into a larger buffer (as NATS hands them over), When decoded, Then offsets are respected', () => {
    const frame = encodeChunksFrame(['x', 'yz']);
    const padded = new Uint8Array(frame.length + 7);
    padded.set(frame, 5);
    expect(decodeStreamFrame(padded.subarray(5, 5 + frame.length))).toEqual({ kind: 'chunks', chunks: ['x', 'yz'] });
  });

  it('Given an end frame, When decoded, Then its JSON text comes back', () => {
    expect(decodeStreamFrame(encodeEndFrame('{"ok":true}'))).toEqual({ kind: 'end', data: '{"ok":true}' });
  });

  it('Given a batch whose lengths overrun it, or an unknown tag, When decoded, Then it is an end frame the contract will reject', () => {
    const frame = encodeChunksFrame(['abc', 'def']);
    expect(decodeStreamFrame(frame.subarray(0, frame.length - 1))).toEqual({ kind: 'end', data: '' });
    expect(decodeStreamFrame(new Uint8Array([0x7a, 0x41]))).toEqual({ kind: 'end', data: 'A' });
  });
});
