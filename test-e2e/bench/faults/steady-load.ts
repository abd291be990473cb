/** How one request of the bench ended. */
export type AnswerKind =
  /** 200 with a completion, or a complete stream. */
  | 'ok'
  /** An error in the OpenAI shape with its status. */
  | 'clear-error'
  /** Something else: a body that is not the OpenAI shape, or a stream that ended without [DONE] or an error. */
  | 'unclear'
  /** No answer within the client's deadline. */
  | 'timeout'
  /** The connection failed (refused or reset) before an answer. */
  | 'connection';

export interface Answer {
  id: string;
  scenario: string;
  status: number;
  kind: AnswerKind;
  ms: number;
  body?: any;
  /** For a failed connection: the socket error's code (ECONNREFUSED: never reached the gateway). */
  cause?: string;
}

const CLIENT_DEADLINE_MS = 30_000;

/** Sends one chat completion with the bench's request id and classifies how it ended. */
export async function chat(gatewayUrl: string, apiKey: string, id: string, scenario: string, body: unknown): Promise<Answer> {
  const started = performance.now();
  const done = (status: number, kind: AnswerKind, parsed?: unknown): Answer => ({ id, scenario, status, kind, ms: performance.now() - started, body: parsed });
  try {
    const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_DEADLINE_MS),
    });
    const text = await res.text();
    if (res.headers.get('content-type')?.includes('text/event-stream')) {
      if (text.trimEnd().endsWith('data: [DONE]')) return done(res.status, 'ok', text);
      return done(res.status, /data: \{"error":\{"message"/.test(text) ? 'clear-error' : 'unclear', text);
    }
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(res.status, 'unclear', text.slice(0, 200));
    }
    if (res.status === 200 && Array.isArray(parsed?.choices)) return done(200, 'ok', parsed);
    const e = parsed?.error;
    const clear = res.status >= 400 && e && typeof e.message === 'string' && typeof e.type === 'string' && 'code' in e;
    return done(res.status, clear ? 'clear-error' : 'unclear', parsed);
  } catch (err) {
    const name = (err as Error).name;
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ...done(0, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection'), cause };
  }
}

/**
 * The bench's steady background load: `rate` requests a second to a healthy model, each with its
 * own id, tagged with the scenario running when it was sent. Every answer is kept.
 */
export class SteadyLoad {
  readonly answers: Answer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private n = 0;
  scenario = 'warmup';

  constructor(
    private readonly gatewayUrl: string,
    private readonly apiKey: string,
    private readonly body: unknown = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'steady load' }] },
  ) {}

  start(rate: number): void {
    this.timer = setInterval(() => this.send(), Math.round(1000 / rate));
  }

  private send(): void {
    const id = `fb-load-${++this.n}`;
    const p = chat(this.gatewayUrl, this.apiKey, id, this.scenario, this.body).then((a) => void this.answers.push(a));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Waits until every request sent so far has its answer (each has a client deadline). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.settle();
  }
}
