/**
 * Frames of a streaming RPC on the wire: one tag byte followed by the body.
 * - `c` chunk: one chunk, UTF-8 text.
 * - `b` batch: several chunks, each a 4-byte big-endian byte length and then its UTF-8 text.
 * - `e` end: the end frame, UTF-8 JSON.
 * A tag byte instead of a JSON wrapper keeps chunks unparsed end to end: the router serializes each
 * chunk once and the gateway writes those bytes into the SSE response as they are. Chunks produced
 * in the same tick (several SSE events in one read from the provider) travel as one batch, one NATS
 * message instead of one each.
 */
export type StreamFrame = { kind: 'chunks'; chunks: string[] } | { kind: 'end'; data: string };

const CHUNK = 0x63; // 'c'
const BATCH = 0x62; // 'b'
const END = 0x65; // 'e'
const enc = new TextEncoder();
const dec = new TextDecoder();

function tagged(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = tag;
  out.set(body, 1);
  return out;
}

/** One chunk as a `c` frame, several as a `b` frame. */
export function encodeChunksFrame(chunks: readonly string[]): Uint8Array {
  if (chunks.length === 1) return tagged(CHUNK, enc.encode(chunks[0]));
  const bodies = chunks.map((c) => enc.encode(c));
  const out = new Uint8Array(1 + bodies.reduce((n, b) => n + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  out[0] = BATCH;
  let at = 1;
  for (const body of bodies) {
    view.setUint32(at, body.length);
    out.set(body, at + 4);
    at += 4 + body.length;
  }
  return out;
}

export function encodeEndFrame(data: string): Uint8Array {
  return tagged(END, enc.encode(data));
}

/** An unknown tag is read as an end frame, whose contract parse then rejects it; so is a batch whose lengths overrun it. */
export function decodeStreamFrame(bytes: Uint8Array): StreamFrame {
  if (bytes[0] === CHUNK) return { kind: 'chunks', chunks: [dec.decode(bytes.subarray(1))] };
  if (bytes[0] !== BATCH) return { kind: 'end', data: dec.decode(bytes.subarray(1)) };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: string[] = [];
  let at = 1;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return { kind: 'end', data: '' };
    const length = view.getUint32(at);
    if (at + 4 + length > bytes.length) return { kind: 'end', data: '' };
    chunks.push(dec.decode(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return { kind: 'chunks', chunks };
}
