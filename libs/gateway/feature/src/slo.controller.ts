import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { HeartbeatRpc, HeartbeatsRpc, SloActivityRpc, SloReportRpc, type RpcDefinition } from '@cp/shared/contracts';
import { BusRequestError, NatsBus } from '@cp/shared/messaging';
import { z } from 'zod';
import { ApiKeyGuard } from './api-key.guard';
import { GatewayError, parseBody } from './gateway-error';

const ReportQuery = z.object({ hours: z.coerce.number().int().positive().max(720).optional(), route: z.string().min(1).max(200).optional() });
const JobName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'job names are lower-case letters, digits, . _ -');
const HeartbeatBody = z.strictObject({ status: z.enum(['start', 'success', 'failure']), message: z.string().max(2000).optional() });

/**
 * SLOs and heartbeats, answered by the slo-collector over NATS: `GET /v1/slo` (every SLO over every
 * window, verdicts, error budget left, hourly history), `GET /v1/slo/activity` (what the dashboard
 * lists), `GET /v1/heartbeats` and `POST /v1/heartbeats/{job}`.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class SloController {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  @Get('slo')
  report(@Query() query: unknown) {
    const q = parseBody(ReportQuery, query);
    return this.ask(SloReportRpc, { hours: q.hours, route: q.route });
  }

  @Get('slo/activity')
  activity() {
    return this.ask(SloActivityRpc, {});
  }

  @Get('heartbeats')
  heartbeats() {
    return this.ask(HeartbeatsRpc, {});
  }

  @Post('heartbeats/:job')
  @HttpCode(202)
  async heartbeat(@Param('job') job: string, @Body() body: unknown) {
    const name = JobName.safeParse(job);
    if (!name.success) throw GatewayError.invalidRequest(name.error.issues[0]?.message ?? 'invalid job name', 'job');
    const b = parseBody(HeartbeatBody, body ?? {});
    const reply = await this.ask(HeartbeatRpc, { job: name.data, status: b.status, message: b.message });
    if (!reply.ok) throw new GatewayError(reply.error.status, reply.error.code, reply.error.type, reply.error.message, 'job');
    return reply.job;
  }

  private async ask<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, req: z.infer<Req>): Promise<z.infer<Rep>> {
    try {
      return await this.bus.request(rpc, req, 5_000);
    } catch (err) {
      if (err instanceof BusRequestError && err.code === 'BUS.TIMEOUT') throw new GatewayError(504, 'slo_collector_timeout', 'timeout', 'the slo-collector did not answer in time');
      throw new GatewayError(503, 'slo_collector_unavailable', 'service_unavailable', 'the slo-collector is not reachable');
    }
  }
}
