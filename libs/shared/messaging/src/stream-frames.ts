/**
 * Frames of a streaming RPC on the wire: one tag byte (`c` chunk, `e` end) followed by UTF-8 text.
 * A tag byte instead of a JSON wrapper keeps chunks unparsed end to end: the router serializes each
 * chunk once and the gateway writes those bytes into the SSE response as they are.
 */
export type StreamFrame = { kind: 'chunk' | 'end'; data: string };

const CHUNK = 0x63; // 'c'
const END = 0x65; // 'e'
const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeStreamFrame(kind: StreamFrame['kind'], data: string): Uint8Array {
  const body = enc.encode(data);
  const out = new Uint8Array(body.length + 1);
  out[0] = kind === 'chunk' ? CHUNK : END;
  out.set(body, 1);
  return out;
}

/** An unknown tag is read as an end frame, whose contract parse then rejects it. */
export function decodeStreamFrame(bytes: Uint8Array): StreamFrame {
  return { kind: bytes[0] === CHUNK ? 'chunk' : 'end', data: dec.decode(bytes.subarray(1)) };
}
