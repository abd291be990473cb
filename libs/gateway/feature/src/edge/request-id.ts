import type { IncomingMessage } from 'node:http';
import { newId } from '@cp/shared/contracts';

/**
 * A client's own request id is kept (and returned), so it can find its request in the ledger and in
 * traces; only a short id of safe characters is, anything else gets one of ours.
 */
export function saneRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

/** Fastify's `genReqId`: every request's id, returned as `x-request-id` on every answer. */
export function requestIdOf(raw: IncomingMessage): string {
  return saneRequestId(raw.headers['x-request-id']) ?? newId();
}
