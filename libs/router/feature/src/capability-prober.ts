import type { CapabilityCheck, CapabilityChecks, CapabilityName, CompletionCheck } from '@cp/shared/contracts';
import { adapterFor, type ModelSpec, type ResolvedProvider, type WireAdapter, type WireHttpRequest } from '@cp/router/domain';
import { createParser } from 'eventsource-parser';
import { ProviderTransportError, type HttpProviderClient, type ProviderHttpRequest, type ProviderHttpResponse } from '@cp/router/data-plane';
import {
  judgeCompletion,
  judgeJsonMode,
  judgeStreaming,
  judgeTools,
  judgeVision,
  PROBE_ORDER,
  probeRequest,
  type ProbeCallOutcome,
  type ProbeKind,
  type StreamProbeOutcome,
  type Verdict,
} from './capability-verdicts';

/** What one probe run found for one model. */
export interface ModelProbe {
  completion: CompletionCheck;
  capabilities: CapabilityChecks;
}

/** The matrix cell of a capability nobody has probed: `declared` if the registry says so, else `unsupported`. */
export function unprobedCheck(declared: boolean): CapabilityCheck {
  return { declared, status: declared ? 'declared' : 'unsupported' };
}

/**
 * Sends minimal real requests to one provider model, through the same adapters and HTTP client as
 * the completion path, and checks that each answer actually shows the capability. Probes bypass
 * routing and breakers: they never admit, count or open anything. Every call gets `timeoutMs` at
 * most, whatever the provider's own timeouts are, so a dead provider costs seconds, not minutes.
 */
export class CapabilityProber {
  constructor(
    private readonly http: HttpProviderClient,
    private readonly timeoutMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs the probes one after another (a model is never hit concurrently by its own probe run). */
  async probeModel(provider: ResolvedProvider, model: ModelSpec): Promise<ModelProbe> {
    const adapter = adapterFor(provider.wire);
    let completion: CompletionCheck = { status: 'unchecked' };
    const capabilities: CapabilityChecks = {
      tools: unprobedCheck(model.capabilities.tools),
      vision: unprobedCheck(model.capabilities.vision),
      streaming: unprobedCheck(model.capabilities.streaming),
      jsonMode: unprobedCheck(model.capabilities.jsonMode),
    };
    for (const kind of PROBE_ORDER) {
      if (kind !== 'completion' && !model.capabilities[kind]) continue;
      const started = performance.now();
      const verdict = await this.run(kind, adapter, provider, model);
      const observed = { checkedAt: this.now().toISOString(), detail: verdict.detail, latencyMs: Math.round(performance.now() - started) };
      if (kind === 'completion') completion = { status: verdict.verified ? 'verified' : 'failed', ...observed };
      else capabilities[kind satisfies CapabilityName] = { declared: true, status: verdict.verified ? 'verified' : 'failed', ...observed };
    }
    return { completion, capabilities };
  }

  private async run(kind: ProbeKind, adapter: WireAdapter, provider: ResolvedProvider, model: ModelSpec): Promise<Verdict> {
    switch (kind) {
      case 'completion':
        return judgeCompletion(await this.call(kind, adapter, provider, model));
      case 'streaming':
        return judgeStreaming(await this.stream(adapter, provider, model));
      case 'tools':
        return judgeTools(await this.call(kind, adapter, provider, model));
      case 'vision':
        return judgeVision(await this.call(kind, adapter, provider, model));
      case 'jsonMode':
        return judgeJsonMode(await this.call(kind, adapter, provider, model));
      default: {
        const unhandled: never = kind;
        throw new Error(`unhandled probe kind ${String(unhandled)}`);
      }
    }
  }

  private async call(kind: ProbeKind, adapter: WireAdapter, provider: ResolvedProvider, model: ModelSpec): Promise<ProbeCallOutcome> {
    return this.send(kind, adapter, provider, model, async (res): Promise<ProbeCallOutcome> => {
      let json: unknown;
      try {
        json = await res.json();
      } catch {
        return { ok: false, detail: 'malformed JSON' };
      }
      try {
        return { ok: true, response: adapter.parseResponse(json, model.id) };
      } catch {
        return { ok: false, detail: 'unexpected response schema' };
      }
    });
  }

  /** Reads the raw SSE body through the wire's stream translator, as the streaming path does. */
  private async stream(adapter: WireAdapter, provider: ResolvedProvider, model: ModelSpec): Promise<StreamProbeOutcome> {
    return this.send('streaming', adapter, provider, model, async (res): Promise<StreamProbeOutcome> => {
      const translator = adapter.createStreamTranslator(model.id);
      let chunks = 0;
      let broken: string | undefined;
      const parser = createParser({
        onEvent: (event) => {
          if (broken) return;
          try {
            chunks += translator.push({ event: event.event, data: event.data }).length;
          } catch (err) {
            broken = err instanceof Error ? err.message : String(err);
          }
        },
      });
      const decoder = new TextDecoder();
      for await (const piece of res.body) {
        parser.feed(decoder.decode(piece, { stream: true }));
        if (broken) break;
      }
      if (broken) return { ok: false, detail: `bad stream: ${broken}` };
      return { ok: true, chunks, complete: translator.isComplete() };
    });
  }

  /** One HTTP call with the probe's short timeouts; non-200 answers and transport failures become a failed outcome. */
  private async send<T extends { ok: boolean }>(kind: ProbeKind, adapter: WireAdapter, provider: ResolvedProvider, model: ModelSpec, read: (res: ProviderHttpResponse) => Promise<T>): Promise<T | { ok: false; detail: string }> {
    let built: WireHttpRequest;
    try {
      built = adapter.buildRequest(probeRequest(kind, model.id), model, provider);
    } catch (err) {
      return { ok: false, detail: `could not build the request: ${err instanceof Error ? err.message : String(err)}` };
    }
    const t = this.timeoutMs;
    const request: ProviderHttpRequest = {
      provider: provider.id,
      model: model.id,
      baseUrl: provider.baseUrl,
      path: built.path,
      headers: built.headers,
      body: built.body,
      timeouts: { connectMs: Math.min(provider.timeouts.connectMs, t), firstByteMs: Math.min(provider.timeouts.firstByteMs, t), totalMs: Math.min(provider.timeouts.totalMs, t) },
      deadlineAt: Date.now() + t,
    };
    try {
      return await this.http.send(request, async (res) => {
        if (res.status !== 200) {
          // Only the status is kept: provider error bodies are not ours to copy into events.
          await res.text().catch(() => '');
          return { ok: false as const, detail: `HTTP ${res.status}` };
        }
        return read(res);
      });
    } catch (err) {
      if (err instanceof ProviderTransportError) return { ok: false, detail: transportDetail(err) };
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }
}

function transportDetail(err: ProviderTransportError): string {
  const f = err.failure;
  return f.kind === 'timeout' ? `timeout (${f.phase})` : f.kind === 'connect' ? 'connection failed' : 'connection reset';
}
