import { runAlternating, type Target } from './load';

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
 * One connection, request after request (so p50 is the latency of one request). Each round sends the
 * plain body and the ten-tool body in turn on one connection (`runAlternating`), first to provider-sim
 * directly, then through the gateway: the two bodies share every moment of the machine, so their
 * difference is not the drift between runs. The sim parses the bigger body too, so the tools' cost in
 * the gateway is (gateway with tools - gateway plain) minus (direct with tools - direct plain), taken
 * per round and reported as the median of the rounds.
 */
export async function measureTools(direct: Target, gateway: Target, durationS: number, rounds = 5): Promise<ToolsRow> {
  const p = { direct: [] as number[], gateway: [] as number[], directTools: [] as number[], gatewayTools: [] as number[] };
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [d, dt] = await runAlternating(direct, [direct.body, withTools(direct).body], durationS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [g, gt] = await runAlternating(gateway, [gateway.body, withTools(gateway).body], durationS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    p.direct.push(d);
    p.directTools.push(dt);
    p.gateway.push(g);
    p.gatewayTools.push(gt);
    perRound.push(gt - g - (dt - d));
  }
  const m = { direct: median(p.direct), gateway: median(p.gateway), directTools: median(p.directTools), gatewayTools: median(p.gatewayTools) };
  return { runs: rounds, p50: m, perRoundMs: perRound, addedByToolsMs: median(perRound) };
}

export function toolsRowText(row: ToolsRow): string {
  const f = (ms: number) => `${ms.toFixed(3)} ms`;
  return [
    'ten tools under the tool policy (one connection, plain and ten-tool bodies in turn, p50, median of ' + row.runs + ' rounds):',
    `  direct ${f(row.p50.direct)}  gateway ${f(row.p50.gateway)}  (added ${f(row.p50.gateway - row.p50.direct)})`,
    `  direct+10 tools ${f(row.p50.directTools)}  gateway+10 tools ${f(row.p50.gatewayTools)}  (added ${f(row.p50.gatewayTools - row.p50.directTools)})`,
    `  added by the tool policy per round: ${row.perRoundMs.map(f).join(', ')}`,
    `  added by the tool policy: ${f(row.addedByToolsMs)}, the median of the rounds (target: within 0.1 ms)`,
  ].join('\n');
}
