import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * A signed checkpoint of the hash chain, in the transparency-log checkpoint format (C2SP
 * `tlog-checkpoint` inside a C2SP `signed-note`):
 *
 * ```
 * agent-control-plane/audit          origin: which log
 * 18234                              size: events covered (the position of the head)
 * q5c0...base64...=                  head hash (SHA-256 of the chain at that position), base64
 * time 2026-12-02T05:40:00.000Z      extension line: when it was signed
 *
 * — agent-control-plane/audit AbCd...base64(key id || Ed25519 signature)...
 * ```
 * The signature covers every byte before the blank line; the key id is the first 4 bytes of
 * SHA-256(name || "\n" || 0x01 || raw public key), as signed notes define it for Ed25519.
 */
export interface ChainCheckpoint {
  origin: string;
  size: number;
  /** Hex, as the chain stores it. */
  hash: string;
  /** ISO-8601. */
  time: string;
}

export class CheckpointError extends Error {
  readonly code = 'AUDIT.CHECKPOINT_INVALID';
}

const ED25519 = 0x01;

/** An Ed25519 key from PEM or base64 of its DER; the error never contains the input. */
function parseKey(text: string, kind: 'private' | 'public'): KeyObject {
  try {
    const der = text.includes('-----BEGIN') ? null : Buffer.from(text.trim(), 'base64');
    const key =
      kind === 'private'
        ? createPrivateKey(der ? { key: der, format: 'der', type: 'pkcs8' } : text)
        : createPublicKey(der ? { key: der, format: 'der', type: 'spki' } : text);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // Reported below, without the key material.
  }
  throw new CheckpointError(kind === 'private' ? 'the audit signing key is not an Ed25519 private key (PEM or base64 PKCS#8 DER)' : 'the audit public key is not an Ed25519 public key (PEM or base64 SPKI DER)');
}

/** An Ed25519 private key from PEM (PKCS#8) or base64 of its DER. */
export const parseSigningKey = (text: string): KeyObject => parseKey(text, 'private');

/** An Ed25519 public key from PEM (SPKI) or base64 of its DER. */
export const parsePublicKey = (text: string): KeyObject => parseKey(text, 'public');

function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
}

function keyId(name: string, key: KeyObject): Buffer {
  return createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([ED25519]), rawPublicKey(key)])).digest().subarray(0, 4);
}

function body(c: ChainCheckpoint): string {
  return `${c.origin}\n${c.size}\n${Buffer.from(c.hash, 'hex').toString('base64')}\ntime ${c.time}\n`;
}

/** The signed note text of a checkpoint; the key name is the origin. */
export function signCheckpoint(c: ChainCheckpoint, privateKey: KeyObject): string {
  const text = body(c);
  const signature = sign(null, Buffer.from(text), privateKey);
  return `${text}\n— ${c.origin} ${Buffer.concat([keyId(c.origin, privateKey), signature]).toString('base64')}\n`;
}

/** Parses a checkpoint note and checks its signature; throws `CheckpointError` saying what is wrong. */
export function openCheckpoint(note: string, publicKey: KeyObject): ChainCheckpoint {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new CheckpointError('a checkpoint note has its text, a blank line, then signature lines');
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, hashText] = lines;
  const timeLine = lines.find((l) => l.startsWith('time '));
  const hash = Buffer.from(hashText ?? '', 'base64');
  if (!origin || !/^\d{1,15}$/.test(sizeText ?? '') || hash.length !== 32 || !timeLine) throw new CheckpointError('the checkpoint text is not origin, size, base64 hash, time');
  const expectedId = keyId(origin, publicKey);
  const signed = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.startsWith(`— ${origin} `))
    .map((l) => Buffer.from(l.slice(`— ${origin} `.length), 'base64'))
    .find((sig) => sig.length === 68 && sig.subarray(0, 4).equals(expectedId));
  if (!signed) throw new CheckpointError(`no signature by this public key for ${origin}`);
  if (!verify(null, Buffer.from(text), publicKey, signed.subarray(4))) throw new CheckpointError('the checkpoint signature does not verify: the note was changed or signed by another key');
  return { origin, size: Number(sizeText), hash: hash.toString('hex'), time: timeLine.slice('time '.length) };
}
