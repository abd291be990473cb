import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuditExport, AuditParkedList, AuditRequestEvent, AuditResubmit, AuditStatus, AuditVerify, type AuditStatusReply, type RpcDefinition, type VerifyReply } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { z } from 'zod';
import { ApiKeyGuard } from './api-key.guard';
import { DataPlane } from './data-plane';
import { GatewayError, parseBody } from './gateway-error';
import { replayRequest } from './request-replay';

const Seq = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ListQuery = z.object({ after: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(), limit: z.coerce.number().int().positive().max(500).optional() });
const VerifyQuery = z.strictObject({
  full: z.enum(['true', 'false']).optional(),
  checkpointSize: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  checkpointHash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in hex').optional(),
});
const ExportQuery = z.strictObject({ after: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0), limit: z.coerce.number().int().positive().max(1000).optional() });
const RequestId = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII');
const ResubmitBody = z.strictObject({ events: z.array(z.unknown()).min(1).max(500).optional() });

/**
 * The audit ledger: `GET /v1/audit/verify` (the auditor verifies the hash chain from its last
 * verified position; `?full=true` re-hashes it all and is rate-limited; `checkpointSize` with
 * `checkpointHash` names a checkpoint the store must agree with), `GET /v1/audit/export` (a page of
 * the chain with hashes, and the newest signed checkpoint), `GET /v1/audit/requests/{id}` (one
 * request's ledger event, for `cpctl explain`; `/replay`: its route choice made again now), `GET
 * /v1/audit/status` (lag, parked count, completeness), `GET /v1/audit/parked[/{seq}]` (what was
 * set aside and why, with its bytes) and `POST /v1/audit/parked/{seq}/resubmit` (store it, as it
 * was or with fixed `events`).
 */
@Controller('v1/audit')
@UseGuards(ApiKeyGuard)
export class AuditController {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(DataPlane) private readonly dataPlane: DataPlane,
  ) {}

  @Get('verify')
  async verify(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<VerifyReply> {
    const q = parseBody(VerifyQuery, query ?? {});
    if ((q.checkpointSize === undefined) !== (q.checkpointHash === undefined)) throw GatewayError.invalidRequest('checkpointSize and checkpointHash go together', q.checkpointSize === undefined ? 'checkpointSize' : 'checkpointHash');
    const checkpoint = q.checkpointSize !== undefined && q.checkpointHash !== undefined ? { size: q.checkpointSize, hash: q.checkpointHash } : undefined;
    const result = await this.ask(AuditVerify, { full: q.full === 'true', checkpoint }, 120_000);
    if (result.rateLimited) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(result.rateLimited.retryAfterMs / 1000))));
      throw new GatewayError(429, 'full_verify_rate_limited', 'rate_limit_exceeded', `a full verification ran recently; the next is allowed in ${Math.ceil(result.rateLimited.retryAfterMs / 1000)} s`, 'full');
    }
    return result;
  }

  @Get('export')
  export(@Query() query: unknown) {
    const q = parseBody(ExportQuery, query ?? {});
    return this.ask(AuditExport, { afterPosition: q.after, limit: q.limit }, 30_000);
  }

  @Get('requests/:id')
  requestEvent(@Param('id') id: string) {
    return this.storedRequest(id);
  }

  /** The request's route choice made again against this gateway's registry and breakers now; no provider is called. */
  @Get('requests/:id/replay')
  async replay(@Param('id') id: string) {
    const event = await this.storedRequest(id);
    return replayRequest(event.correlationId, event.payload, this.dataPlane.registry, this.dataPlane.breakerStates());
  }

  private async storedRequest(id: string) {
    const parsed = RequestId.safeParse(id);
    if (!parsed.success) throw GatewayError.invalidRequest('the request id must be 1 to 200 printable ASCII characters', 'id');
    const { event } = await this.ask(AuditRequestEvent, { requestId: parsed.data }, 10_000);
    if (!event) throw new GatewayError(404, 'request_not_found', 'invalid_request_error', 'no ledger event for this request id (not stored yet, or never made)', 'id');
    return event;
  }

  @Get('status')
  status(): Promise<AuditStatusReply> {
    return this.ask(AuditStatus, {}, 5_000);
  }

  @Get('parked')
  parked(@Query() query: unknown) {
    const q = parseBody(ListQuery, query);
    return this.ask(AuditParkedList, { afterSeq: q.after, limit: q.limit }, 10_000);
  }

  @Get('parked/:seq')
  async parkedOne(@Param('seq') seq: string) {
    const parkedSeq = parseParam(seq);
    const { parked } = await this.ask(AuditParkedList, { parkedSeq }, 10_000);
    if (parked.length === 0) throw new GatewayError(404, 'parked_not_found', 'invalid_request_error', `nothing is parked at ${parkedSeq}`, 'seq');
    return parked[0];
  }

  @Post('parked/:seq/resubmit')
  @HttpCode(200)
  async resubmit(@Param('seq') seq: string, @Body() body: unknown) {
    const parkedSeq = parseParam(seq);
    const { events } = parseBody(ResubmitBody, body ?? {});
    const reply = await this.ask(AuditResubmit, { parkedSeq, events }, 30_000);
    if (!reply.ok) throw new GatewayError(reply.error.status, reply.error.code, reply.error.type, reply.error.message);
    return reply;
  }

  private async ask<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, req: z.infer<Req>, timeoutMs: number): Promise<z.infer<Rep>> {
    try {
      return await this.bus.request(rpc, req, timeoutMs);
    } catch {
      throw new GatewayError(503, 'auditor_unavailable', 'service_unavailable', 'the auditor did not answer');
    }
  }
}

function parseParam(seq: string): number {
  const parsed = Seq.safeParse(seq);
  if (!parsed.success) throw GatewayError.invalidRequest('seq must be a positive integer', 'seq');
  return parsed.data;
}
