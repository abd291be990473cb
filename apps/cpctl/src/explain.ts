import type { ProviderAttempt } from '@cp/shared/contracts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const ref = (r: unknown) => `${String(obj(r)?.provider)}/${String(obj(r)?.model)}`;
const ms = (n: unknown) => (typeof n === 'number' ? `${Math.round(n * 10) / 10} ms` : '?');

function attemptLine(a: ProviderAttempt, i: number): string {
  const head = `  ${i + 1}. ${a.provider}/${a.model}  ${a.outcome}`;
  if (a.outcome === 'skipped') return `${head}  (${a.errorClass ?? 'skipped'}: no call made)`;
  if (a.outcome === 'error') return `${head}  ${a.errorClass ?? 'error'}${a.status ? ` (HTTP ${a.status})` : ''} after ${ms(a.latencyMs)}${a.message ? `: ${a.message}` : ''}`;
  const usage = a.usage ? `  ${a.usage.prompt_tokens} in / ${a.usage.completion_tokens} out tokens` : '';
  const shaped = a.shaping && a.shaping.level !== 'none' ? `  shaped ${a.shaping.level} (${a.shaping.tokensBefore} → ${a.shaping.tokensAfter ?? '?'} tokens)` : '';
  return `${head}  ${ms(a.latencyMs)}${usage}${shaped}${a.costUsd !== undefined ? `  $${a.costUsd}` : ''}`;
}

/** The sections a later concern adds to the trail (shaping, repairs, memory): shown as recorded, or said to be absent. */
function extraSection(name: string, value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return `${name}: none recorded`;
  return `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

/**
 * A request's story from its ledger event, in the order things happened: what was asked, the
 * route and why, the breakers seen, each attempt with its error class and latency, who served it
 * (or why no one did), usage and cost; parts the trail does not have are said to be absent.
 */
export function explainRequest(event: { correlationId: string; occurredAt: string; payload: unknown }): string {
  const p = obj(event.payload) ?? {};
  const trail = obj(p.trail);
  const timings = obj(p.timings) ?? {};
  const route = obj(trail?.route);
  const attempts = (Array.isArray(trail?.attempts) ? trail.attempts : []) as ProviderAttempt[];
  const lines = [`request ${event.correlationId}  model ${String(p.model ?? '?')}${p.stream ? '  (streamed)' : ''}  at ${String(timings.receivedAt ?? event.occurredAt)}`];
  lines.push(`outcome: ${String(p.outcome)} ${String(p.status)} in ${ms(timings.totalMs)}${timings.firstChunkMs !== undefined ? ` (first chunk ${ms(timings.firstChunkMs)})` : ''}`);
  if (route) {
    lines.push(`route: "${String(route.route)}": ${String(route.reason)}`);
    const candidates = Array.isArray(route.candidates) ? route.candidates.map(ref) : [];
    lines.push(`  candidates: ${candidates.join(' → ') || 'none'}`);
    const filtered = Array.isArray(route.filtered) ? route.filtered.map((f) => `${ref(f)} (${String(obj(f)?.reason)})`) : [];
    if (filtered.length > 0) lines.push(`  filtered out: ${filtered.join(', ')}`);
    if (Array.isArray(route.required) && route.required.length > 0) lines.push(`  needs: ${route.required.join(', ')}`);
  } else lines.push('route: none recorded (the request ended before a route was chosen)');
  const breakers = obj(trail?.breakers);
  lines.push(breakers && Object.keys(breakers).length > 0 ? `breakers seen: ${Object.entries(breakers).map(([k, v]) => `${k} ${String(v)}`).join(', ')}` : 'breakers seen: none recorded');
  lines.push(attempts.length > 0 ? 'attempts:' : 'attempts: none');
  attempts.forEach((a, i) => lines.push(attemptLine(a, i)));
  const failed = attempts.filter((a) => a.outcome !== 'ok');
  if (trail?.failover === true) lines.push(`failover: yes, past ${failed.map((a) => `${a.provider}/${a.model} (${a.errorClass ?? a.outcome})`).join(', ')}`);
  lines.push(p.provider ? `served by: ${String(p.provider)}/${String(p.providerModel ?? '?')}` : 'served by: nobody');
  const usage = obj(p.usage);
  if (usage) lines.push(`usage: ${String(usage.prompt_tokens)} prompt + ${String(usage.completion_tokens)} completion tokens`);
  lines.push(p.costUsd !== undefined ? `cost: $${String(p.costUsd)}` : 'cost: none recorded');
  const tools = Array.isArray(trail?.tools) ? (trail.tools as Json[]) : [];
  const repairs = tools.filter((e) => e.action === 'repaired').map((e) => `${String(e.tool)}: ${Array.isArray(e.classes) ? e.classes.join(', ') : '?'}`);
  const shapedAttempts = attempts.filter((a) => a.shaping).map((a) => `${a.provider}/${a.model} ${a.shaping!.level}`);
  lines.push(extraSection('shaping', shapedAttempts.length > 0 ? shapedAttempts.join(', ') : undefined), extraSection('repairs', repairs.length > 0 ? repairs.join('; ') : undefined), extraSection('tools', tools.length > 0 ? tools.map((e) => `${String(e.tool)} ${String(e.action)}`).join(', ') : undefined), extraSection('memory', trail?.memory));
  const error = obj(p.error);
  if (error) lines.push(`error: ${String(error.code)}: ${String(error.message)}`);
  return lines.join('\n') + '\n';
}
