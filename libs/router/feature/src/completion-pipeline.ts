import { ChatCompletionResponse, type CompleteReply, type CompleteRequest, type ProviderAttempt, type RpcError } from '@cp/shared/contracts';
import { HttpProviderClient, ProviderTransportError, type ProviderTimeouts } from './http-provider-client';

export interface UpstreamProvider {
  id: string;
  model: string;
  baseUrl: string;
  apiKey?: string;
  timeouts: ProviderTimeouts;
}

/**
 * The router's completion path for the walking skeleton: one OpenAI-compatible upstream, tried in
 * order with immediate failover. The provider plane (registry, adapters, breakers) replaces
 * `candidates` and the per-wire translation without changing this seam.
 */
export class CompletionPipeline {
  constructor(
    private readonly http: HttpProviderClient,
    private readonly candidates: (req: CompleteRequest) => UpstreamProvider[],
  ) {}

  async complete(req: CompleteRequest): Promise<CompleteReply> {
    const attempts: ProviderAttempt[] = [];
    for (const provider of this.candidates(req)) {
      const started = performance.now();
      try {
        const response = await this.http.send(
          {
            provider: provider.id,
            model: provider.model,
            baseUrl: provider.baseUrl,
            path: '/chat/completions',
            headers: provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {},
            body: { ...req.request, model: provider.model, stream: false },
            timeouts: provider.timeouts,
            deadlineAt: req.deadlineAt,
          },
          async (res) => {
            if (res.status !== 200) {
              await res.text();
              throw new UpstreamStatusError(res.status);
            }
            const parsed = ChatCompletionResponse.safeParse(await res.json());
            if (!parsed.success) throw new UpstreamStatusError(502, 'provider answered with an unexpected schema');
            return parsed.data;
          },
        );
        attempts.push({ provider: provider.id, model: provider.model, outcome: 'ok', latencyMs: elapsed(started), usage: response.usage });
        return { ok: true, response, provider: provider.id, model: provider.model, trail: { attempts, failover: attempts.length > 1 } };
      } catch (err) {
        attempts.push({ provider: provider.id, model: provider.model, outcome: 'error', errorClass: errorClass(err), status: err instanceof UpstreamStatusError ? err.status : undefined, message: err instanceof Error ? err.message : String(err), latencyMs: elapsed(started) });
      }
    }
    return { ok: false, error: noProvider(attempts), trail: { attempts, failover: attempts.length > 1 } };
  }
}

class UpstreamStatusError extends Error {
  constructor(readonly status: number, message = `provider answered HTTP ${status}`) {
    super(message);
  }
}

function errorClass(err: unknown): string {
  if (err instanceof ProviderTransportError) return err.failure.kind;
  if (err instanceof UpstreamStatusError) return `http_${err.status}`;
  return 'unknown';
}

function noProvider(attempts: ProviderAttempt[]): RpcError {
  const tried = attempts.map((a) => `${a.provider}/${a.model} (${a.errorClass ?? a.outcome})`).join(', ');
  return { status: 503, code: 'ROUTER.NO_HEALTHY_PROVIDER', type: 'service_unavailable', message: `no provider could serve the request; tried: ${tried || 'none'}` };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
