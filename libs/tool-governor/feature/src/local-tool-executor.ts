import { MemoryQuery, type LocalToolReply, type LocalToolRequest, ToolGovernorExecute } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { dataClean } from '@cp/tool-governor/domain';

/** The most results `search_kb` asks the memory plane for (its query caps `limit` at 50). */
const MAX_TOP_K = 20;

/** The longest tool result handed back to the model. */
const MAX_CONTENT = 32 * 1024;

function result(content: unknown, isError: boolean): LocalToolReply {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return { ok: true, isError, content: text.length > MAX_CONTENT ? text.slice(0, MAX_CONTENT) : text };
}

/**
 * Runs the local tools for the completion pipeline (`cp.tool-governor.rpc.execute.v1`). Arguments
 * arrive checked against the tool's schema; a tool that fails answers a tool error the model can
 * read, not an RPC error.
 */
export class LocalToolExecutor {
  runs = { ok: 0, failed: 0 };

  constructor(private readonly rt: Pick<ServiceRuntime, 'bus' | 'logger'>) {}

  start(): void {
    this.rt.bus.serve(ToolGovernorExecute, (req) => this.execute(req), 'tool-governor', (error) => ({ ok: false, error }));
  }

  async execute(req: LocalToolRequest): Promise<LocalToolReply> {
    const reply = req.tool === 'data_clean' ? this.dataClean(req.arguments) : await this.searchKb(req.arguments, req.timeoutMs);
    if (reply.ok && !reply.isError) this.runs.ok++;
    else this.runs.failed++;
    return reply;
  }

  private dataClean(args: Record<string, unknown>): LocalToolReply {
    const out = dataClean(args);
    return out.ok ? result({ ...(out.text !== undefined ? { text: out.text } : { rows: out.rows }), report: out.report }, false) : result({ error: 'invalid_input', message: out.error }, true);
  }

  private async searchKb(args: Record<string, unknown>, timeoutMs: number): Promise<LocalToolReply> {
    const query = typeof args.query === 'string' ? args.query.slice(0, 8000) : '';
    const topK = typeof args.top_k === 'number' && Number.isInteger(args.top_k) ? Math.min(Math.max(args.top_k, 1), MAX_TOP_K) : 5;
    const unavailable = (why: string) => result({ error: 'knowledge_base_unavailable', message: `the knowledge base is unavailable (${why.slice(0, 200)}); answer without it` }, true);
    if (!query.trim()) return result({ error: 'invalid_input', message: 'search_kb needs a non-empty query' }, true);
    try {
      const reply = await this.rt.bus.request(MemoryQuery, { query, layers: ['kb'], limit: topK }, timeoutMs);
      if ('error' in reply) return unavailable(reply.error.message);
      if (reply.degraded.includes('kb')) return unavailable('the knowledge-base layer did not answer in time');
      return result({ results: reply.results.map((r) => ({ text: r.text, score: r.score, source: r.provenance.map((p) => p.origin ?? p.title ?? p.id) })) }, false);
    } catch (err) {
      return unavailable(err instanceof Error ? err.message : 'no answer');
    }
  }
}
