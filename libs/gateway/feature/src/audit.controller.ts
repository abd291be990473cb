import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { AuditVerify, type VerifyReply } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { ApiKeyGuard } from './api-key.guard';
import { GatewayError } from './gateway-error';

/** `GET /v1/audit/verify`: the auditor recomputes the hash chain and names the first broken position. */
@Controller('v1/audit')
@UseGuards(ApiKeyGuard)
export class AuditController {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  @Get('verify')
  async verify(): Promise<VerifyReply> {
    try {
      return await this.bus.request(AuditVerify, {}, 60_000);
    } catch {
      throw new GatewayError(503, 'auditor_unavailable', 'service_unavailable', 'the auditor did not answer');
    }
  }
}
