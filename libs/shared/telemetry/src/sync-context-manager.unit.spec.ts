import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { SyncContextManager } from './sync-context-manager';

describe('SyncContextManager', () => {
  const key = createContextKey('k');
  const ctx = ROOT_CONTEXT.setValue(key, 'request');

  it('Given with(ctx, fn), Then ctx is active while fn runs and the previous context is back afterwards, even when fn throws', () => {
    const m = new SyncContextManager();
    expect(m.with(ctx, () => m.active().getValue(key))).toBe('request');
    expect(m.active()).toBe(ROOT_CONTEXT);
    expect(() => m.with(ctx, () => { throw new Error('boom'); })).toThrow('boom');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('Given nested with, Then the inner context wins inside and the outer one is restored', () => {
    const m = new SyncContextManager();
    const inner = ctx.setValue(key, 'inner');
    expect(m.with(ctx, () => [m.with(inner, () => m.active().getValue(key)), m.active().getValue(key)])).toEqual(['inner', 'request']);
  });

  it('Given an async fn, Then the context does not follow it past an await (the caller passes it explicitly)', async () => {
    const m = new SyncContextManager();
    const seen = await m.with(ctx, async () => {
      const before = m.active().getValue(key);
      await Promise.resolve();
      return [before, m.active().getValue(key)];
    });
    expect(seen).toEqual(['request', undefined]);
  });

  it('Given a bound function, Then it runs in the bound context with its this and arguments', () => {
    const m = new SyncContextManager();
    const bound = m.bind(ctx, function (this: { x: number }, a: number) {
      return [this.x + a, m.active().getValue(key)];
    });
    expect(bound.call({ x: 1 }, 2)).toEqual([3, 'request']);
    expect(m.bind(ctx, 5)).toBe(5);
  });
});
