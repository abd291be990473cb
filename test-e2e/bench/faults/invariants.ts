import type { Client } from 'pg';
import { waitFor } from '@cp/shared/testing';
import type { Answer } from './steady-load';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export const check = (name: string, ok: boolean, detail?: string): Check => ({ name, ok, detail });

export interface InvariantPorts {
  db: Client;
  get(path: string): Promise<any>;
}

/**
 * What must hold after every scenario: every request got exactly one answer or a clear error (a
 * lost connection only where the scenario kills the process holding it); every request the
 * pipeline answered (200 or a 5xx of its own) has exactly one ledger event in the store; the chain
 * verifies; every service is healthy again.
 */
export async function invariants(ports: InvariantPorts, answers: Answer[], opts: { connectionLossAllowed?: boolean } = {}): Promise<Check[]> {
  const checks: Check[] = [];
  const bad = answers.filter((a) => a.kind === 'unclear' || a.kind === 'timeout' || (a.kind === 'connection' && !opts.connectionLossAllowed));
  checks.push(check('every request: one answer or a clear error', bad.length === 0, bad.length ? `${bad.length} not: ${bad.slice(0, 3).map((a) => `${a.id} ${a.kind} ${a.status}`).join(', ')}` : `${answers.length} requests`));

  const recorded = answers.filter((a) => a.status === 200 || a.status >= 500).map((a) => a.id);
  // A lost connection may or may not have reached the gateway (a stale keep-alive socket fails the
  // same way): it may have an event (abandoned), never two. The scenario that kills the gateway
  // checks requests known to be at a provider separately.
  const lost = answers.filter((a) => a.kind === 'connection').map((a) => a.id);
  let counts = new Map<string, number>();
  try {
    await waitFor(
      'every answered request in the store',
      async () => {
        counts = await eventCounts(ports.db, recorded);
        return recorded.every((id) => counts.get(id) === 1) ? true : undefined;
      },
      45_000,
      500,
    );
  } catch {
    // Reported below with the numbers.
  }
  const missing = recorded.filter((id) => !counts.get(id));
  const lostCounts = await eventCounts(ports.db, lost);
  const doubled = [...recorded, ...lost].filter((id) => ((lost.includes(id) ? lostCounts : counts).get(id) ?? 0) > 1);
  checks.push(check('every answered request: exactly one ledger event', missing.length === 0 && doubled.length === 0, `${recorded.length} answered, ${missing.length} missing, ${doubled.length} doubled`));

  const verify = await ports.get('/v1/audit/verify').catch((err: Error) => ({ ok: false, error: err.message }));
  checks.push(check('the chain verifies', verify?.ok === true, verify?.ok ? `${verify.count} events` : JSON.stringify(verify).slice(0, 200)));

  let health: any;
  try {
    health = await waitFor('every service healthy', async () => {
      const h = await ports.get('/health');
      return h.status === 'ok' ? h : undefined;
    }, 30_000, 250);
  } catch {
    health = await ports.get('/health').catch(() => undefined);
  }
  checks.push(check('every service healthy', health?.status === 'ok', health?.status === 'ok' ? undefined : JSON.stringify(health?.services ?? health).slice(0, 300)));
  return checks;
}

async function eventCounts(db: Client, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const r = await db.query(`SELECT correlation_id, count(*)::int AS n FROM events WHERE type = 'gateway.request-completed' AND correlation_id = ANY($1) GROUP BY correlation_id`, [ids]);
  return new Map(r.rows.map((row: { correlation_id: string; n: number }) => [row.correlation_id, row.n]));
}
