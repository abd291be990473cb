import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSpool } from './event-spool';

const enc = new TextEncoder();
const ev = (id: string, correlationId = `c-${id}`) => ({ subject: 'cp.test.happened.v1', id, correlationId, data: enc.encode(JSON.stringify({ id, payload: { tab: 'a\tb', nl: 'x\ny' } })) });

/** Makes the spool's claim look like the journal of a process that died (pid 2^22 + 1 is never alive). */
const nextTick = () => new Promise<void>((r) => setImmediate(r));
const journalText = (dir: string) => {
  const claim = join(dir, String(process.pid));
  return readdirSync(claim).filter((f) => f.endsWith('.journal')).sort().map((f) => readFileSync(join(claim, f), 'utf8')).join('');
};
const kinds = (text: string) => text.split('\n').filter(Boolean).map((l) => l[0]);

function die(dir: string): void {
  const dead = String(4194305);
  renameSync(join(dir, String(process.pid)), join(dir, dead));
  writeFileSync(join(dir, dead, 'owner'), dead);
}

describe('EventSpool (a journal on the local disk)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-spool-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given events and request begins, when the process dies, then the next one adopts exactly the unacknowledged events and the unfinished requests', () => {
    const { spool } = EventSpool.open(dir);
    spool.recordEvent(ev('e1'));
    spool.recordEvent(ev('e2'));
    spool.recordAcked(['e1']);
    spool.recordBegin('r1', { model: 'gpt-4o' });
    spool.recordBegin('r2', { model: 'gpt-4o' });
    spool.recordEvent(ev('e3', 'r2'));
    spool.flush();
    die(dir);

    const { recovered, spool: next } = EventSpool.open(dir);
    expect(recovered).toHaveLength(1);
    expect(recovered[0].events.map((e) => e.id)).toEqual(['e2', 'e3']);
    expect(JSON.parse(new TextDecoder().decode(recovered[0].events[0].data))).toEqual({ id: 'e2', payload: { tab: 'a\tb', nl: 'x\ny' } });
    expect(recovered[0].abandoned).toEqual([{ requestId: 'r1', info: { model: 'gpt-4o' } }]);
    EventSpool.discard(dir, recovered[0]);
    next.close();
    // Nothing left behind: the adopted journal is gone, and a clean close removes the claim.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('given a torn last line (killed mid-write), then it is ignored and the rest is read', () => {
    const { spool } = EventSpool.open(dir);
    spool.recordEvent(ev('e1'));
    spool.flush();
    const journal = readdirSync(join(dir, String(process.pid))).find((f) => f.endsWith('.journal'))!;
    appendFileSync(join(dir, String(process.pid), journal), 'e\tcp.test.happened.v1\te2\tc\t{"id":"e2","pay');
    die(dir);
    const { recovered } = EventSpool.open(dir);
    expect(recovered[0].events.map((e) => e.id)).toEqual(['e1']);
  });

  it('given a live owner, then its journal is not adopted', () => {
    const { spool } = EventSpool.open(dir);
    spool.recordEvent(ev('e1'));
    spool.flush();
    // Same process: alive.
    expect(EventSpool.open(dir).recovered).toEqual([]);
  });

  it('given small segments, then settled ones are deleted and the bytes stay bounded', () => {
    const { spool } = EventSpool.open(dir, 64 * 1024 * 1024, 2048);
    for (let i = 0; i < 200; i++) {
      spool.recordEvent(ev(`e${i}`));
      spool.flush();
      spool.recordAcked([`e${i}`]);
      spool.flush();
    }
    expect(spool.stats()).toMatchObject({ unacked: 0, segments: 1 });
    expect(spool.stats().bytes).toBeLessThan(4096);
  });

  it('given the bound is reached, then further records are counted as overflowed, not written', () => {
    const { spool } = EventSpool.open(dir, 1024 * 1024);
    const big = { ...ev('big'), data: new Uint8Array(600 * 1024).fill(0x61) };
    spool.recordEvent(big);
    spool.recordEvent({ ...big, id: 'big2' });
    expect(spool.overflowed).toBe(1);
    expect(spool.stats().unacked).toBe(1);
  });

  it('given an ack, then it is not written on its own: it rides along with the next write of an event', async () => {
    const { spool } = EventSpool.open(dir);
    spool.recordEvent(ev('e1'));
    await nextTick();
    expect(kinds(journalText(dir))).toEqual(['e']);
    spool.recordAcked(['e1']);
    await nextTick();
    expect(kinds(journalText(dir))).toEqual(['e']);
    spool.recordEvent(ev('e2'));
    await nextTick();
    expect(kinds(journalText(dir))).toEqual(['e', 'a', 'e']);
    spool.close();
  });

  it('given an ack and no further write, then it is written within the ack delay', async () => {
    const { spool } = EventSpool.open(dir, undefined, undefined, 30);
    spool.recordEvent(ev('e1'));
    spool.flush();
    spool.recordAcked(['e1']);
    await new Promise((r) => setTimeout(r, 150));
    expect(kinds(journalText(dir))).toEqual(['e', 'a']);
    spool.close();
  });

  it('given events in shared messages acked and the process killed before the acks were written, then the next process gets them back with their message ids', async () => {
    const { spool } = EventSpool.open(dir);
    spool.recordEvent({ ...ev('e1'), batch: 'e1' });
    spool.recordEvent({ ...ev('e2'), batch: 'e1' });
    spool.recordEvent({ ...ev('e3'), batch: 'e3' });
    await nextTick();
    spool.recordAcked(['e1', 'e2', 'e3']);
    expect(spool.stats().unacked).toBe(0);
    // Killed here: the acks were never written.
    die(dir);
    const { recovered } = EventSpool.open(dir);
    expect(recovered[0].events.map((e) => [e.id, e.batch ?? e.id])).toEqual([
      ['e1', 'e1'],
      ['e2', 'e1'],
      ['e3', 'e3'],
    ]);
  });
});
