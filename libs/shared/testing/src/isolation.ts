import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';

export const TEST_PG_URL = process.env.CP_TEST_PG_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432';
export const TEST_NATS_URL = process.env.CP_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Names no other run uses: a database, a JetStream stream and a subject namespace. */
export interface Isolation {
  runId: string;
  databaseUrl: string;
  stream: string;
  namespace: string;
  natsUrl: string;
}

/** `natsUrl` picks another NATS server than the shared one (a test's private server). */
export function newIsolation(label: string, natsUrl: string = TEST_NATS_URL): Isolation {
  const runId = `${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.toLowerCase();
  return { runId, databaseUrl: `${TEST_PG_URL}/cp_${runId}`, stream: `CP_EVENTS_${runId.toUpperCase()}`, namespace: `t_${runId}`, natsUrl };
}

/** Drops the run's database and streams (events and parked); tolerant of any being absent. */
export async function dropIsolation(iso: Isolation): Promise<void> {
  const nc = await connect({ servers: iso.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(iso.stream).catch(() => undefined);
    await jsm.streams.delete(`${iso.stream}_PARKED`).catch(() => undefined);
  } finally {
    await nc.close();
  }
  const admin = new Client({ connectionString: `${TEST_PG_URL}/postgres` });
  await admin.connect();
  try {
    const name = new URL(iso.databaseUrl).pathname.slice(1);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
