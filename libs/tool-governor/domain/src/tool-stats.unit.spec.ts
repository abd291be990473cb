import { ToolStatsProjection } from './tool-stats';

describe('ToolStatsProjection', () => {
  it('Given trails with tool entries, it counts per tool: calls, repairs per class, blocked, self-corrections, local runs', () => {
    const p = new ToolStatsProjection();
    p.add({
      attempts: [],
      tools: [
        { tool: 'read_file', action: 'called', round: 1 },
        { tool: 'read_file', action: 'repaired', classes: ['invalid_json', 'enum_case'], before: '', after: '', round: 1 },
        { tool: 'ghost', action: 'called', round: 1 },
        { tool: 'ghost', action: 'blocked', reason: 'not_offered', round: 1 },
        { tool: 'read_file', action: 'self_corrected', round: 2 },
        { tool: 'data_clean', action: 'local_run', ok: true, ms: 1 },
        { tool: 'data_clean', action: 'local_run', ok: false, ms: 1 },
        { tool: 'shell', action: 'removed', reason: 'denied' },
      ],
    });
    const rows = Object.fromEntries(p.rows().map((r) => [r.tool, r]));
    expect(rows.read_file).toMatchObject({ calls: 1, repaired: 1, repairs: { invalid_json: 1, enum_case: 1 }, selfCorrected: 1 });
    expect(rows.ghost).toMatchObject({ calls: 1, blocked: 1 });
    expect(rows.data_clean!.localRuns).toEqual({ ok: 1, failed: 1 });
    expect(rows.shell!.removed).toBe(1);
    expect(p.requests).toBe(1);
  });

  it('Given a trail without tools or with entries it does not know, it skips them', () => {
    const p = new ToolStatsProjection();
    expect(p.add({ attempts: [] })).toBe(false);
    expect(p.add(undefined)).toBe(false);
    p.add({ tools: [{ tool: 'x', action: 'something_new' }, 'garbage', { action: 'called' }] });
    expect(p.rows()).toEqual([expect.objectContaining({ tool: 'x', calls: 0 })]);
  });
});
