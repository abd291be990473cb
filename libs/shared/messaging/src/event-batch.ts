const OPEN = new Uint8Array([0x5b]); // [
const COMMA = new Uint8Array([0x2c]); // ,
const CLOSE = new Uint8Array([0x5d]); // ]
const dec = new TextDecoder();

/**
 * Events of one subject published in the same tick travel as one JetStream message, whose body is
 * the JSON array of their envelopes; a lone event is its envelope object, as before. One message
 * instead of N saves nats-server a stored message, a PubAck and a delivery per event. Every
 * consumer of event subjects reads messages with `eventsOf`.
 */
export function encodeEventBatch(envelopes: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [OPEN];
  envelopes.forEach((e, i) => parts.push(...(i === 0 ? [e] : [COMMA, e])));
  parts.push(CLOSE);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The envelopes (still unvalidated) one event message carries: one, several, or none when it is not JSON. */
export function eventsOf(data: Uint8Array): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(dec.decode(data));
  } catch {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}
