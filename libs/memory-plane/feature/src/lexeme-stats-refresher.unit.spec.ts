import { LexemeStatsRefresher } from './lexeme-stats-refresher';

const quiet = { warn: () => undefined };

describe('LexemeStatsRefresher', () => {
  it('Given a burst of changes, When they settle, Then the statistics are refreshed once', async () => {
    let calls = 0;
    const r = new LexemeStatsRefresher(async () => void calls++, quiet, Date.now, 10);
    r.changed();
    r.changed();
    r.changed();
    await r.idle();
    expect(calls).toBe(1);
    expect(r.refreshes).toBe(1);
  });

  it('Given a change during a refresh, Then one more refresh follows it', async () => {
    let calls = 0;
    let release!: () => void;
    const r = new LexemeStatsRefresher(() => (++calls === 1 ? new Promise<void>((res) => (release = res)) : Promise.resolve()), quiet, Date.now, 1);
    r.changed();
    while (calls === 0) await new Promise((res) => setTimeout(res, 2));
    r.changed();
    release();
    await r.idle();
    expect(calls).toBe(2);
  });

  it('Given a refresh that fails, Then it is logged and a later change refreshes again', async () => {
    const warnings: string[] = [];
    let calls = 0;
    const r = new LexemeStatsRefresher(async () => {
      if (++calls === 1) throw new Error('relation is locked');
    }, { warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) } as never, Date.now, 1);
    r.changed();
    await r.idle();
    r.changed();
    await r.idle();
    expect(calls).toBe(2);
    expect(r.refreshes).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('Given it is stopped, When the KB changes, Then nothing is refreshed', async () => {
    let calls = 0;
    const r = new LexemeStatsRefresher(async () => void calls++, quiet, Date.now, 1);
    await r.stop();
    r.changed();
    await r.idle();
    expect(calls).toBe(0);
  });
});
