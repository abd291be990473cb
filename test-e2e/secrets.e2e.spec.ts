/**
 * No provider key leaves the stack. Three providers (one per wire) get recognisable keys, one of
 * them key-shaped, one shorter than eight characters, one neither, and are served by provider-sim,
 * which is told to quote the key it receives back: in error bodies (400 to the client, 500 failed
 * over, 401 alerting), in error events in the middle of streams and in bodies that are not JSON.
 * Then every response body and header, every row of every table of the run's event store, every
 * exported span and every log file of the run is searched: none holds a key or a piece of one.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import type { Client } from 'pg';
import { parse, stringify } from 'yaml';
import { freePort, OtlpReceiver, REPO_ROOT, type Stack, waitFor } from '@cp/shared/testing';
import { simControl as sim, startE2e } from './support/e2e-kit';

const KEYS = {
  OPENAI_API_KEY: `sk-proj-E2eSecretOpenAi${'Xy7'.repeat(12)}`,
  ANTHROPIC_API_KEY: 'k7Qz9',
  GEMINI_API_KEY: 'e2e-gemini-secret-4242',
};
/** What must not appear anywhere: each key, and a piece of each long enough to tell a cut-off echo. */
const NEEDLES = [...Object.values(KEYS), 'E2eSecretOpenAi', 'gemini-secret-4242'];
const PROVIDERS = ['openai', 'claude', 'gemini'] as const;
const MODELS: Record<(typeof PROVIDERS)[number], string> = { openai: 'openai/gpt-4o', claude: 'claude/claude-sonnet-4-5', gemini: 'gemini/gemini-2.5-pro' };

/** The shipped registry with the three keyed providers pointed at provider-sim (a key makes the registry use `baseUrl`). */
function registryOnSim(simUrl: string): string {
  const doc = parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as { providers: { id: string; wire: string; baseUrl: string }[] };
  for (const p of doc.providers) if ((PROVIDERS as readonly string[]).includes(p.id)) p.baseUrl = `${simUrl}/${p.id}${p.wire === 'openai' ? '/v1' : ''}`;
  const file = join(mkdtempSync(join(tmpdir(), 'cp-reg-')), 'providers.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

describe('secrets: no provider key in any answer, event, span or log line', () => {
  const otlp = new OtlpReceiver({ raw: true });
  let stack: Stack;
  let db: Client;
  let client: OpenAI;
  let stop: (() => Promise<void>) | undefined;
  /** Everything the clients received: status line, headers and body of every answer. */
  const answers: string[] = [];

  beforeAll(async () => {
    const endpoint = await otlp.start();
    const simPort = await freePort();
    const simUrl = `http://127.0.0.1:${simPort}`;
    ({ stack, db, client, stop } = await startE2e({
      label: 'secrets',
      env: { ...KEYS, CP_SIM_PORT: String(simPort), CP_PROVIDER_SIM_URL: simUrl, CP_PROVIDERS_FILE: registryOnSim(simUrl), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    }));
    stack.simUrl = simUrl;
  });
  afterAll(async () => {
    await stop?.();
    await otlp.stop();
  });

  /** One request as raw HTTP, its whole answer kept for the final search. */
  const post = async (body: Record<string, unknown>): Promise<{ status: number; text: string; requestId: string | null }> => {
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    answers.push(`${res.status} ${JSON.stringify([...res.headers.entries()])}\n${text}`);
    return { status: res.status, text, requestId: res.headers.get('x-request-id') };
  };
  const ask = (provider: (typeof PROVIDERS)[number], content: string, stream = false) => post({ model: MODELS[provider], stream, messages: [{ role: 'user', content }] });

  it('given each provider quotes its key in a 400, then the client sees the provider\'s message with the key redacted', async () => {
    for (const p of PROVIDERS) {
      await sim(stack).fault(p, { type: 'echo_key', status: 400, times: 1 });
      const { status, text } = await ask(p, `bad request to ${p}`);
      expect(status).toBe(400);
      const error = (JSON.parse(text) as { error: { message: string; code: string } }).error;
      expect(error.code).toBe('PROVIDER.REQUEST_REJECTED');
      // The provider's words reach the client, cut to the documented 300 characters, the key replaced.
      expect(error.message).toContain('Incorrect API key provided: [redacted].');
      expect(error.message.length).toBeLessThan(400);
    }
  });

  it('given each provider quotes its key in a 500, in a stream\'s error event and in a body that is not JSON, then the requests fail over or end as they should', async () => {
    for (const p of PROVIDERS) {
      await sim(stack).fault(p, { type: 'echo_key', status: 500, times: 1 });
      expect((await ask(p, `server error at ${p}`)).status).toBe(200);
      await sim(stack).fault(p, { type: 'echo_key', mode: 'stream_error', afterChunks: 2, times: 1 });
      const cut = await ask(p, `stream from ${p}`, true);
      expect(cut.status).toBe(200);
      expect(cut.text).not.toContain('[DONE]');
      // The provider's error event reached the client's stream: its words, the key replaced.
      expect(cut.text).toContain('Incorrect API key provided: [redacted].');
      await sim(stack).fault(p, { type: 'echo_key', mode: 'malformed', times: 1 });
      expect((await ask(p, `garbled answer from ${p}`)).status).toBe(200);
      await sim(stack).fault(p, { type: 'echo_key', mode: 'malformed', afterChunks: 0, times: 1 });
      expect((await ask(p, `garbled stream from ${p}`, true)).status).toBe(200);
    }
    const plain = await client.chat.completions.create({ model: MODELS.openai, messages: [{ role: 'user', content: 'all good?' }] });
    expect(plain.choices[0].message.content).toBe('echo: all good?');
  });

  it('given a provider that answers 401 quoting its key, then it is marked misconfigured and the request is served by another', async () => {
    await sim(stack).fault('gemini', { type: 'echo_key', status: 401 });
    expect((await ask('gemini', 'key refused')).status).toBe(200);
    await sim(stack).clear('gemini');
  });

  it('given all that traffic, then no answer, stored row, exported span or log line holds a key, while redaction marks show it was there', async () => {
    const last = await ask('openai', 'the last one');
    await waitFor('the last ledger event stored', async () => ((await db.query(`SELECT 1 FROM events WHERE correlation_id = $1`, [last.requestId])).rowCount ? true : undefined));
    const tables = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)).rows.map((r: { table_name: string }) => r.table_name);
    const rows: string[] = [];
    for (const table of tables) rows.push(...(await db.query(`SELECT t::text AS row FROM "${table}" t`)).rows.map((r: { row: string }) => r.row));
    expect(rows.join('\n')).toContain('[redacted]');

    // Stopping flushes every log line and every span still batched.
    await stop?.();
    stop = undefined;
    const logs = readdirSync(stack.logDir).map((file) => ({ file, text: readFileSync(join(stack.logDir, file), 'utf8') }));
    expect(logs.map((l) => l.file)).toEqual(expect.arrayContaining(['gateway.log', 'router.log', 'auditor.log', 'provider-sim.log']));
    expect(otlp.bodies.length).toBeGreaterThan(0);
    expect(answers.join('\n')).toContain('[redacted]');

    const places: [string, string][] = [
      ['client answers', answers.join('\n')],
      ['event store rows', rows.join('\n')],
      ['exported spans', otlp.bodies.join('\n')],
      ...logs.map(({ file, text }): [string, string] => [`log ${file}`, text]),
    ];
    const leaks = places.flatMap(([where, text]) => NEEDLES.filter((needle) => text.includes(needle)).map((needle) => `${where}: ${needle}`));
    expect(leaks).toEqual([]);
  });
});
