import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AuditParkedList, AuditResubmit, AuditStatus, AuditVerify, type AuditStatusReply, type RpcDefinition, type VerifyReply } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { z } from 'zod';
import { ApiKeyGuard } from './api-key.guard';
import { GatewayError, parseBody } from './gateway-error';

const Seq = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ListQuery = z.object({ after: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(), limit: z.coerce.number().int().positive().max(500).optional() });
const ResubmitBody = z.strictObject({ events: z.array(z.unknown()).min(1).max(500).optional() });

/**
 * The audit ledger: `GET /v1/audit/verify` (the auditor recomputes the hash chain), `GET
 * /v1/audit/status` (lag, parked count, completeness), `GET /v1/audit/parked[/{seq}]` (what was
 * set aside and why, with its bytes) and `POST /v1/audit/parked/{seq}/resubmit` (store it, as it
 * was or with fixed `events`).
 */
@Controller('v1/audit')
@UseGuards(ApiKeyGuard)
export class AuditController {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  @Get('verify')
  verify(): Promise<VerifyReply> {
    return this.ask(AuditVerify, {}, 60_000);
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
