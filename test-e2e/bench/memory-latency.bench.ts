import { Stack } from '@cp/shared/testing';
import { EVAL_DOCS } from '@cp/memory-plane/embedding';

/**
 * `node dist/test-e2e/bench/memory-latency.bench.js [requests]`: what memory injection adds to a
 * completion. Starts the stack, fills the KB (the 44 labelled documents) and the status, then sends
 * the same sequential requests with memory off and on (`x-cp-memory: on`), alternating, and prints
 * p50/p95 of both and of their difference. Figures: docs/performance.md.
 */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300);
  const stack = await new Stack({ label: 'benchmem', healthTimeoutMs: 120_000, env: { CP_LOG_LEVEL: 'warn' } }).start();
  try {
    const headers = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
    for (const d of EVAL_DOCS) await fetch(`${stack.gatewayUrl}/v1/kb/documents`, { method: 'POST', headers, body: JSON.stringify({ title: d.title, content: d.content }) });
    await fetch(`${stack.gatewayUrl}/v1/memory/status`, { method: 'PUT', headers, body: JSON.stringify({ priorities: ['ship the v2 checkout'], projects: ['Apollo', 'Zephyr'] }) });
    const body = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'how do I undo a bad release?' }] });
    const once = async (memory: boolean) => {
      const t = performance.now();
      const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { ...headers, ...(memory ? { 'x-cp-memory': 'on' } : {}) }, body });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`status ${res.status}`);
      return performance.now() - t;
    };
    for (let i = 0; i < 30; i++) await once(i % 2 === 0);
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < n; i++) {
      off.push(await once(false));
      on.push(await once(true));
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
    const row = (name: string, xs: number[]) => ({ requests: name, p50: +pct(xs, 50).toFixed(2), p95: +pct(xs, 95).toFixed(2) });
    console.table([row('memory off', off), row('memory on', on), { requests: 'added (p50 on - p50 off)', p50: +(pct(on, 50) - pct(off, 50)).toFixed(2), p95: +(pct(on, 95) - pct(off, 95)).toFixed(2) }]);
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
