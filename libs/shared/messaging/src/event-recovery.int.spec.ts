import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineEvent, EventEnvelope } from '@cp/shared/contracts';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { trace } from '@cp/shared/telemetry';
import { eventsOf, EventSpool, NatsBus } from './index';

const Counted = defineEvent('test.counted', 1, z.object({ n: z.number() }));
const DEAD_PID = '4194305'; // above the kernel's pid limit: never alive
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** What a SIGKILL leaves: the journal files as they are on disk now, under a pid that is gone. */
function snapshotAsDead(fromDir: string, toDir: string): void {
  const dead = join(toDir, DEAD_PID);
  cpSync(join(fromDir, String(process.pid)), dead, { recursive: true });
  writeFileSync(join(dead, 'owner'), DEAD_PID);
}

describe('adopting the journal of a killed process (real NATS with JetStream)', () => {
  const iso = newIsolation('recovery');
  const tracer = trace.getTracer('test');
  let dirA: string;
  let dirB: string;
  let dirC: string;
  let a: NatsBus;
  let b: NatsBus;

  beforeAll(async () => {
    dirA = mkdtempSync(join(tmpdir(), 'cp-recovery-a-'));
    dirB = mkdtempSync(join(tmpdir(), 'cp-recovery-b-'));
    dirC = mkdtempSync(join(tmpdir(), 'cp-recovery-c-'));
    // A long linger: what A publishes stays in memory (and in its journal) until sent explicitly.
    a = await NatsBus.connect({ servers: iso.natsUrl, service: 'a', namespace: iso.namespace, stream: iso.stream, tracer, eventsLingerMs: 60_000 });
    b = await NatsBus.connect({ servers: iso.natsUrl, service: 'b', namespace: iso.namespace, stream: iso.stream, tracer });
    await a.ensureEventStream();
    a.events.spool = EventSpool.open(dirA).spool;
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await dropIsolation(iso);
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
    rmSync(dirC, { recursive: true, force: true });
  });

  async function storedIds(): Promise<string[]> {
    const jsm = await a.jsm();
    const { messages } = (await jsm.streams.info(iso.stream)).state;
    const ids: string[] = [];
    for (let seq = 1; seq <= messages; seq++) {
      const m = await jsm.streams.getMessage(iso.stream, { seq });
      ids.push(...eventsOf(m!.data).map((e) => EventEnvelope.parse(e).id));
    }
    return ids;
  }

  const kindsIn = (dir: string) => {
    const claim = join(dir, String(process.pid));
    const text = readdirSync(claim).filter((f) => f.endsWith('.journal')).sort().map((f) => readFileSync(join(claim, f), 'utf8')).join('');
    return text.split('\n').filter(Boolean).map((l) => l[0]);
  };

  /** The next process: adopts the dead journal in `dir`, re-publishes it, waits for every ack. */
  async function adoptWithB(dir: string): Promise<string[]> {
    const { spool, recovered } = EventSpool.open(dir);
    b.events.spool?.close();
    b.events.spool = spool;
    b.republish(recovered[0].events);
    expect(await b.events.flush(5000)).toBe(0);
    EventSpool.discard(dir, recovered[0]);
    return recovered[0].events.map((e) => e.id);
  }

  it('given acked events whose acks were not journalled yet, when the next process adopts the journal, then it re-sends them and JetStream drops the message as a duplicate', async () => {
    // Six events over six ticks share one message; JetStream acknowledges it.
    const acked = [];
    for (let n = 1; n <= 6; n++) {
      acked.push(a.publish(Counted, { n }, { streamId: `n:${n}`, correlationId: `c${n}` }));
      await nextTick();
    }
    expect(await a.events.flush(5000)).toBe(0);
    expect(a.events.snapshot().acked).toBe(6);
    // The ack waits for the next write: a SIGKILL now leaves six unacknowledged events.
    expect(kindsIn(dirA)).toEqual(['e', 'm', 'm', 'm', 'm', 'm']);
    snapshotAsDead(dirA, dirB);

    expect(await adoptWithB(dirB)).toEqual(acked.map((e) => e.id));
    const jsm = await a.jsm();
    expect((await jsm.streams.info(iso.stream)).state.messages).toBe(1);
    expect(await storedIds()).toEqual(acked.map((e) => e.id));
  });

  it('given events lingering (journalled, not sent), when the process is killed and the next one adopts the journal, then they are stored once, and a late send of the same message is a duplicate', async () => {
    const before = await storedIds();
    const lingering = [7, 8].map((n) => a.publish(Counted, { n }, { streamId: `n:${n}`, correlationId: `c${n}` }));
    await nextTick();
    // The earlier ack rode along with this write; the two events are on disk, nothing was sent.
    expect(kindsIn(dirA).slice(-3)).toEqual(['a', 'e', 'm']);
    expect(await storedIds()).toEqual(before);
    snapshotAsDead(dirA, dirC);

    expect(await adoptWithB(dirC)).toEqual(lingering.map((e) => e.id));
    expect(await storedIds()).toEqual([...before, ...lingering.map((e) => e.id)]);
    // The process thought dead sends what it held after all: same Nats-Msg-Id, dropped.
    expect(await a.events.flush(5000)).toBe(0);
    expect(await storedIds()).toEqual([...before, ...lingering.map((e) => e.id)]);
  });
});
