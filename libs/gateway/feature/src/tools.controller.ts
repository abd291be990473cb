import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ToolGovernorStats, type ToolStatsRow } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { ApiKeyGuard } from './api-key.guard';
import { GatewayError } from './gateway-error';

const STATS_TIMEOUT_MS = 5_000;

/** `GET /v1/tools/stats`: per tool, calls, repairs per class, blocked, self-corrections, local runs (tool-governor's projection, over NATS). */
@Controller('v1/tools')
@UseGuards(ApiKeyGuard)
export class ToolsController {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  @Get('stats')
  async stats(): Promise<{ object: 'list'; policy_version: string; requests: number; data: ToolStatsRow[] }> {
    let reply;
    try {
      reply = await this.bus.request(ToolGovernorStats, {}, STATS_TIMEOUT_MS);
    } catch {
      throw new GatewayError(503, 'tool_governor_unavailable', 'service_unavailable', 'tool-governor did not answer');
    }
    if (!reply.ok) throw new GatewayError(reply.error.status, reply.error.code, reply.error.type, reply.error.message);
    return { object: 'list', policy_version: reply.policyVersion, requests: reply.requests, data: reply.tools };
  }
}
