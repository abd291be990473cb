/**
 * What the e2e specs share: a started stack with an `openai` client and a connection to its event
 * store, provider-sim's control API, and the ledger event of one request. Not a spec itself (jest
 * runs only `*.e2e.spec.ts` here).
 */
import OpenAI from 'openai';
import { Client } from 'pg';
import { Stack, waitFor, type StackOptions } from '@cp/shared/testing';

/** Upstream bodies as the sim recorded them: plain JSON, read field by field. */
export type Json = any;

/** What provider-sim counted for one instance, and the last request that reached it. */
export interface SimStats {
  requests: number;
  lastRequest: { path: string; headers: Record<string, string>; body: Json } | null;
}

/** A running stack, the `openai` SDK pointed at its gateway, and its event store. */
export interface E2e {
  stack: Stack;
  /** Never retries, so every failure reaches the test as it happened. */
  client: OpenAI;
  db: Client;
  /** Closes the database connection, then stops the stack. */
  stop(): Promise<void>;
}

/** Starts a stack with these options, then the client and the database connection; on a failed connect the stack is stopped again. */
export async function startE2e(options: StackOptions): Promise<E2e> {
  const stack = new Stack(options);
  try {
    await stack.start();
  } catch (err) {
    // A stack that never got healthy (a loaded machine) must not outlive the test run.
    await stack.stop();
    throw err;
  }
  const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
  const db = new Client({ connectionString: stack.iso.databaseUrl });
  try {
    await db.connect();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const stop = async () => {
    await db.end();
    await stack.stop();
  };
  return { stack, client, db, stop };
}

/** Drives provider-sim's control API (`/_sim`) of a running stack, per named provider instance. */
export function simControl(stack: Stack) {
  const at = (instance: string, action: string) => `${stack.simUrl}/_sim/instances/${instance}/${action}`;
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const stats = async (instance: string) => (await (await fetch(at(instance, 'stats'))).json()) as SimStats;
  return {
    /** Sets the instance's fault (`{ type: 'status', status: 503 }`, `hang`, `slow_stream`, `cut_stream`, …). */
    fault: (instance: string, fault: Record<string, unknown>) => post(at(instance, 'faults'), fault),
    /** Clears the instance's fault. */
    clear: (instance: string) => fetch(at(instance, 'faults'), { method: 'DELETE' }),
    /** Queues replies the instance gives, in order, to its next requests (instead of the echo). */
    script: (instance: string, replies: unknown[]) => post(at(instance, 'script'), { replies }),
    /** Opens a listener of its own for the instance on that port. */
    listen: (instance: string, port: number) => post(at(instance, 'listener'), { port }),
    /** What the instance counted, with the last request as it arrived. */
    stats,
    /** How many requests reached the instance. */
    requests: async (instance: string) => (await stats(instance)).requests,
    /** Drops every instance: faults, scripts, counts and listeners. */
    reset: () => fetch(`${stack.simUrl}/_sim/reset`, { method: 'POST' }),
  };
}

/** The payload of one request's `gateway.request-completed` ledger event, once the auditor has stored it. */
export function ledgerEvent<T>(db: Client, requestId: string | null): Promise<T> {
  return waitFor('ledger event', async () => {
    const r = await db.query(`SELECT payload FROM events WHERE correlation_id = $1 AND type = 'gateway.request-completed'`, [requestId]);
    return r.rowCount ? (r.rows[0].payload as T) : undefined;
  });
}
