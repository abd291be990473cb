import { createServer, type Server } from 'node:http';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  /** The span's attributes with their OTLP values unwrapped (integers as numbers). */
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
type OtlpAttribute = { key: string; value: OtlpValue };

interface OtlpJson {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }[] }[] }[];
}

function unwrap(attributes: OtlpAttribute[] = []): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * A minimal OTLP/HTTP (JSON) trace receiver for tests: what the services export lands in `spans`.
 * With `keep: false` (benchmarks) it only counts exports and spans, so its memory stays flat; with
 * `raw: true` it also keeps every export body as received (the secrets test searches them whole).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every export body as text, when constructed with `raw: true`. */
  readonly bodies: string[] = [];
  /** Export requests and spans received so far (kept or not). */
  exports = 0;
  spanCount = 0;
  private server: Server | undefined;
  url = '';

  constructor(private readonly opts: { keep?: boolean; raw?: boolean } = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.exports++;
        const text = Buffer.concat(chunks).toString('utf8');
        if (this.opts.raw) this.bodies.push(text);
        try {
          this.collect(JSON.parse(text) as OtlpJson);
        } catch {
          // protobuf or garbage: ignored, the test will not find its spans
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return this.url;
  }

  private collect(body: OtlpJson): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? 'unknown';
      for (const ss of rs.scopeSpans ?? []) {
        this.spanCount += ss.spans?.length ?? 0;
        if (this.opts.keep === false) continue;
        for (const s of ss.spans ?? []) this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind, attributes: unwrap(s.attributes) });
      }
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
