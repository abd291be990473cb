import type { Target } from './load';
import { runLoad } from './load';

/** Ten realistic tool definitions (nested objects, enums, arrays, `additionalProperties: false`). */
export const TEN_TOOLS = Array.from({ length: 10 }, (_, i) => ({
  type: 'function',
  function: {
    name: `tool_${i}_${['read_file', 'write_file', 'search', 'run_command', 'create_ticket', 'get_weather', 'send_email', 'query_db', 'list_dir', 'fetch_url'][i]}`,
    description: `Tool number ${i}: does one well-described thing for the agent and returns JSON.`,
    parameters: {
      type: 'object',
      properties: {
        target: { type: 'string', description: 'what to act on' },
        mode: { type: 'string', enum: ['fast', 'safe', 'thorough'], default: 'safe' },
        limit: { type: 'integer', minimum: 1, maximum: 1000 },
        tags: { type: 'array', items: { type: 'string' } },
        options: { type: 'object', properties: { dryRun: { type: 'boolean' }, timeoutSeconds: { type: 'number' } }, additionalProperties: false },
      },
      required: ['target'],
      additionalProperties: false,
    },
  },
}));

/** The same target with ten tools in the body (the model answers text: the echo). */
export function withTools(t: Target): Target {
  const body = JSON.parse(t.body) as Record<string, unknown>;
  return { ...t, body: JSON.stringify({ ...body, tools: TEN_TOOLS }) };
}

export interface ToolsRow {
  runs: number;
  p50: { direct: number; gateway: number; directTools: number; gatewayTools: number };
  /** Each round's (gateway - direct) with ten tools minus (gateway - direct) without. */
  perRoundMs: number[];
  /** The median of `perRoundMs`: what ten tools under the policy add to the gateway's p50. */
  addedByToolsMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/**
 * One connection, request after request (so p50 is the latency of one request), alternating
 * direct / gateway / direct with ten tools / gateway with ten tools `rounds` times (the two pairs in
 * turn first) so that a drift of the machine weighs on all four. The sim parses the bigger body too, so the tools' cost in the
 * gateway is (gateway - direct) with tools minus (gateway - direct) without, taken per round and
 * reported as the median of the rounds.
 */
export async function measureTools(direct: Target, gateway: Target, durationS: number, rounds = 5): Promise<ToolsRow> {
  const p = { direct: [] as number[], gateway: [] as number[], directTools: [] as number[], gatewayTools: [] as number[] };
  const targets: [keyof typeof p, Target][] = [['direct', direct], ['gateway', gateway], ['directTools', withTools(direct)], ['gatewayTools', withTools(gateway)]];
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // ABBA: every other round runs the ten-tool pair first, so neither pair always follows the other
    // (a direct run at 10k req/s leaves the sim garbage to collect during the run after it).
    const order = r % 2 === 0 ? targets : [...targets.slice(2), ...targets.slice(0, 2)];
    for (const [k, t] of order) {
      p[k].push((await runLoad(t, { kind: 'closed', connections: 1 }, durationS)).p50);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // The four runs of one round are seconds apart: their difference is what the machine's drift disturbs least.
    perRound.push(p.gatewayTools[r] - p.directTools[r] - (p.gateway[r] - p.direct[r]));
  }
  const m = { direct: median(p.direct), gateway: median(p.gateway), directTools: median(p.directTools), gatewayTools: median(p.gatewayTools) };
  return { runs: rounds, p50: m, perRoundMs: perRound, addedByToolsMs: median(perRound) };
}

export function toolsRowText(row: ToolsRow): string {
  const f = (ms: number) => `${ms.toFixed(3)} ms`;
  return [
    'ten tools under the tool policy (closed-1, p50, median of ' + row.runs + ' alternating rounds):',
    `  direct ${f(row.p50.direct)}  gateway ${f(row.p50.gateway)}  (added ${f(row.p50.gateway - row.p50.direct)})`,
    `  direct+10 tools ${f(row.p50.directTools)}  gateway+10 tools ${f(row.p50.gatewayTools)}  (added ${f(row.p50.gatewayTools - row.p50.directTools)})`,
    `  added by the tool policy per round: ${row.perRoundMs.map(f).join(', ')}`,
    `  added by the tool policy: ${f(row.addedByToolsMs)}, the median of the rounds (target: within 0.1 ms)`,
  ].join('\n');
}
