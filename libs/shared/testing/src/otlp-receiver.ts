import { createServer, type Server } from 'node:http';
import protobuf from 'protobufjs';

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

/** The part of OTLP's `ExportTraceServiceRequest` the tests read (field numbers of opentelemetry-proto; other fields are skipped). */
const OTLP_TRACES_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { repeated Span spans = 2; }
message Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6; repeated KeyValue attributes = 9; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
`;
const ExportTraceServiceRequest = protobuf.parse(OTLP_TRACES_PROTO, { keepCase: false }).root.lookupType('ExportTraceServiceRequest');

/** A protobuf export as the JSON encoding spells it (ids in hex, 64-bit integers as strings). */
function fromProtobuf(body: Buffer): OtlpJson {
  const hex = (b: number[] | undefined) => Buffer.from(b ?? []).toString('hex');
  const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String, bytes: Array, defaults: false }) as {
    resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: { traceId?: number[]; spanId?: number[]; parentSpanId?: number[]; name: string; kind?: number; attributes?: OtlpAttribute[] }[] }[] }[];
  };
  return {
    resourceSpans: decoded.resourceSpans?.map((rs) => ({
      resource: rs.resource,
      scopeSpans: rs.scopeSpans?.map((ss) => ({
        spans: ss.spans?.map((sp) => ({ traceId: hex(sp.traceId), spanId: hex(sp.spanId), parentSpanId: hex(sp.parentSpanId), name: sp.name, kind: sp.kind ?? 0, attributes: sp.attributes })),
      })),
    })),
  };
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
 * A minimal OTLP/HTTP trace receiver for tests (protobuf, the services' default, and JSON): what the services export lands in `spans`.
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
  /** Export requests by media type (`application/x-protobuf`, `application/json`). */
  readonly contentTypes: Record<string, number> = {};
  private server: Server | undefined;
  url = '';

  constructor(private readonly opts: { keep?: boolean; raw?: boolean } = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.exports++;
        const body = Buffer.concat(chunks);
        const type = String(req.headers['content-type'] ?? '').split(';')[0];
        this.contentTypes[type] = (this.contentTypes[type] ?? 0) + 1;
        // Kept as text either way: a protobuf export carries its strings as UTF-8 bytes, so a search for a secret still finds it.
        if (this.opts.raw) this.bodies.push(body.toString('utf8'));
        try {
          this.collect(type === 'application/x-protobuf' ? fromProtobuf(body) : (JSON.parse(body.toString('utf8')) as OtlpJson));
        } catch {
          // garbage: ignored, the test will not find its spans
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
