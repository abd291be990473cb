import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import type { Stack } from '@cp/shared/testing';
import { ledgerEvent, startE2e, type E2e } from './support/e2e-kit';
import { rawRequests, requests, type FuzzRequest } from './support/fuzz-arbitraries';

/** Fixed, printed, and overridable (`CP_FUZZ_SEED`) to replay a failure. */
const SEED = Number(process.env.CP_FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.CP_FUZZ_RUNS ?? 3000);
const RAW_RUNS = Math.ceil(RUNS / 6);
const BODY_LIMIT = 256 * 1024;
/** No answer within this is a hang (the edge's own deadlines are far shorter; a stack on a busy machine is slow). */
const DEADLINE_MS = 15_000;
/**
 * The gateway's resident memory after the fuzz may exceed what it was after the warm-up by at most
 * this (documented in docs/testing.md): thousands of requests, some near the body limit, leave
 * garbage the collector has not returned yet, but nothing that grows with the request count.
 */
const RSS_GROWTH_BOUND = 96 * 1024 * 1024;
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Why an answer breaks the edge's contract, or undefined when it keeps it. */
function violation(a: Answer, head: boolean): string | undefined {
  if (a.status >= 500) return `status ${a.status}: ${a.body.slice(0, 300)}`;
  if (!SAFE_ID.test(String(a.headers['x-request-id'] ?? ''))) return `no x-request-id (status ${a.status})`;
  if (a.status < 400 || head) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(a.body);
  } catch {
    return `status ${a.status} with a body that is not JSON: ${a.body.slice(0, 200)}`;
  }
  const e = (body as { error?: Record<string, unknown> }).error;
  const shaped = e !== undefined && Object.keys(body as object).length === 1 && Object.keys(e).sort().join() === 'code,message,param,type' && typeof e.message === 'string' && typeof e.type === 'string';
  if (!shaped) return `status ${a.status} not in the OpenAI error shape: ${a.body.slice(0, 200)}`;
  if ((e.message as string).length > 1000) return `an error message of ${(e.message as string).length} characters`;
  return undefined;
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb?.[1] ?? 0) * 1024;
}

describe(`fuzz: ${RUNS} generated hostile requests and ${RAW_RUNS} raw ones (seed ${SEED})`, () => {
  let e2e: E2e;
  let stack: Stack;
  let port: number;

  const send = (r: FuzzRequest) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, timeout: DEADLINE_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms (hang)`)));
      req.on('error', (err) => reject(new Error(`${err.message}${req.reusedSocket ? ' (on a reused keep-alive connection)' : ''}`)));
      req.end(r.body);
    });

  /** Raw bytes, the write side closed after them; the answer is whatever comes before the server closes. */
  const sendRaw = (bytes: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(bytes));
      const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${DEADLINE_MS} ms (hang)`)), DEADLINE_MS);
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    });

  const pids = () => Object.fromEntries([...stack.procs].map(([name, child]) => [name, child.exitCode === null ? child.pid : `exited ${child.exitCode}`]));

  beforeAll(async () => {
    process.stdout.write(`fuzz seed ${SEED} (replay with CP_FUZZ_SEED=${SEED}), ${RUNS} + ${RAW_RUNS} runs\n`);
    e2e = await startE2e({ label: 'fuzz', serviceEnv: { gateway: { CP_GATEWAY_BODY_LIMIT_BYTES: String(BODY_LIMIT) } } });
    stack = e2e.stack;
    port = Number(new URL(stack.gatewayUrl).port);
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  it('given thousands of hostile requests, then no 5xx, no hang, every error in the OpenAI shape with x-request-id, no restart, the ledger still storing, memory steady', async () => {
    const before = pids();
    const gatewayPid = stack.procs.get('gateway')!.pid!;
    // Warm-up, so the first RSS reading is of a gateway that has JIT-compiled its paths.
    for (let i = 0; i < 200; i++) await send({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ model: 'gpt-4o', stream: i % 2 === 0, messages: [{ role: 'user', content: `warm ${i}` }] })) });
    // Also what a gateway loads once and keeps: the tokenizer's rank table (tens of MiB, docs/shaping.md),
    // loaded by the first request long enough for gpt-4o's budget to need an exact count, and a tool schema's validator.
    const chat = (body: object) => send({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
    const long = Array.from({ length: 48_000 }, (_, i) => `w${i % 997}`).join(' '); // ~235 KB, under the fuzz stack's body limit
    expect((await chat({ model: 'gpt-4o', messages: [{ role: 'system', content: 'warm' }, { role: 'user', content: long }] })).status).toBe(200);
    const tool = { type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };
    for (let i = 0; i < 20; i++) await chat({ model: 'gpt-4o', tools: [tool], messages: [{ role: 'user', content: `warm tools ${i}` }] });
    const rssBefore = rssOf(gatewayPid);

    const seen = new Map<number, number>();
    // Requests share keep-alive connections, as SDKs do: a failure names the request before it too.
    let previous = 'none';
    const describe = (r: FuzzRequest) => `${r.method} ${r.path.slice(0, 100)} ${JSON.stringify(r.headers).slice(0, 300)} body ${r.body?.length ?? 'none'}: ${r.body?.subarray(0, 80).toString('latin1') ?? ''}`;
    await fc.assert(
      fc.asyncProperty(requests(stack.apiKey, BODY_LIMIT), async (r) => {
        const before = previous;
        previous = describe(r);
        const a = await send(r).catch((err: Error) => {
          throw new Error(`${describe(r)}: ${err.message} (the request before: ${before})`);
        });
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
        previous += ` -> ${a.status} connection: ${String(a.headers.connection)} body ${a.body.length} bytes`;
        const why = violation(a, r.method === 'HEAD');
        if (why) throw new Error(`${describe(r)}: ${why}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(rawRequests(stack.apiKey), async ({ bytes }) => {
        const out = (await sendRaw(bytes)).toString('latin1');
        // A request the server could not frame may just be closed; anything it answers keeps the contract.
        if (out === '') return;
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(out)?.[1]);
        const headEnd = out.indexOf('\r\n\r\n');
        const headers = Object.fromEntries(out.slice(0, headEnd).split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
        // The first answer only: bytes after an early end of the headers are read as another request, with an answer of its own.
        const rest = Buffer.from(out.slice(headEnd + 4), 'latin1');
        const length = Number(headers['content-length'] ?? rest.length);
        const why = violation({ status, headers, body: rest.subarray(0, length).toString('utf8') }, chunked || /^HEAD /.test(bytes.toString('latin1')));
        if (why) throw new Error(`raw ${JSON.stringify(bytes.subarray(0, 80).toString('latin1'))}: ${why}`);
      }),
      { seed: SEED, numRuns: RAW_RUNS, endOnFailure: true },
    );
    process.stdout.write(`fuzz statuses: ${JSON.stringify(Object.fromEntries([...seen].sort((x, y) => x[0] - y[0])))}\n`);

    // No process restarted or died.
    expect(pids()).toEqual(before);
    // The ledger still stores: a normal request after the fuzz is in the event store.
    const { data, response } = await e2e.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'after the fuzz' }] }).withResponse();
    expect(data.choices[0].message.content).toBe('echo: after the fuzz');
    expect(await ledgerEvent<{ status: number }>(e2e.db, response.headers.get('x-request-id'))).toMatchObject({ status: 200 });
    // Memory steady.
    const rssAfter = rssOf(gatewayPid);
    process.stdout.write(`gateway RSS: ${(rssBefore / 2 ** 20).toFixed(1)} MiB after warm-up, ${(rssAfter / 2 ** 20).toFixed(1)} MiB after the fuzz\n`);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);
  });
});
