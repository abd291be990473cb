import { defineRpc, type LocalToolReply, type LocalToolRequest, ToolGovernorExecute } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { dataClean } from '@cp/tool-governor/domain';
import { z } from 'zod';

/**
 * The memory plane's query RPC, which `search_kb` asks. It is defined by the memory issue; until the
 * memory plane answers it, `search_kb` answers a tool error saying the knowledge base is unavailable.
 */
export const MemoryQuery = defineRpc('memory', 'query', 1, z.object({ query: z.string(), topK: z.number().int().positive() }).loose(), z.unknown());

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
    const query = typeof args.query === 'string' ? args.query : '';
    const topK = typeof args.top_k === 'number' ? args.top_k : 5;
    try {
      return result(await this.rt.bus.request(MemoryQuery, { query, topK }, timeoutMs), false);
    } catch (err) {
      return result({ error: 'knowledge_base_unavailable', message: `the knowledge base is unavailable (${err instanceof Error ? err.message.slice(0, 200) : 'no answer'}); answer without it` }, true);
    }
  }
}
