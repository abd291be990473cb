import type { Command } from 'commander';
import type { CliContext } from './cli-context';
import { explainRequest } from './explain';

interface ReplayReport {
  recorded: { route: string; candidates: { provider: string; model: string }[] } | null;
  now: { ok: true; decision: { route: string; candidates: { provider: string; model: string }[]; reason: string } } | { ok: false; code: string; message: string } | null;
  differences: string[];
  notes: string[];
}

const names = (refs: { provider: string; model: string }[]) => refs.map((r) => `${r.provider}/${r.model}`).join(' → ');

/** `cpctl explain <request-id>` and `cpctl replay <request-id>`: the decision ledger of one request. */
export function registerLedger(program: Command, ctx: CliContext): void {
  program
    .command('explain <request-id>')
    .description("a request's story from the ledger: route and why, breakers seen, attempts, who served it, cost")
    .option('--json', 'print the stored event')
    .action(async (id: string, opts: { json?: boolean }) => {
      const event = (await ctx.call(`/v1/audit/requests/${encodeURIComponent(id)}`)) as { correlationId: string; occurredAt: string; payload: unknown };
      if (opts.json) return ctx.print(event);
      ctx.write(explainRequest(event));
    });

  program
    .command('replay <request-id>')
    .description("make the request's route choice again against the current registry and breakers (no provider is called) and print what would differ")
    .option('--json', 'print the raw report')
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = (await ctx.call(`/v1/audit/requests/${encodeURIComponent(id)}/replay`)) as ReplayReport;
      if (opts.json) return ctx.print(r);
      const lines = [`request ${id}`];
      if (r.recorded) lines.push(`recorded: route "${r.recorded.route}", candidates ${names(r.recorded.candidates)}`);
      if (r.now?.ok) lines.push(`now:      route "${r.now.decision.route}", candidates ${names(r.now.decision.candidates)}`);
      else if (r.now) lines.push(`now:      fails with ${r.now.code}: ${r.now.message}`);
      lines.push(r.differences.length > 0 ? 'would differ:' : r.recorded ? 'nothing would differ' : 'nothing to replay');
      lines.push(...r.differences.map((d) => `  - ${d}`), ...r.notes.map((n) => `note: ${n}`));
      ctx.write(lines.join('\n') + '\n');
    });
}
