import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { healthRpc, SERVICE_NAMES, type HealthReply } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { RUNTIME, type ServiceRuntime } from '@cp/shared/runtime';
import { TOOLS_MEMO, type ToolsMemo } from './edge/tools-memo';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';

interface ServiceStatus {
  status: 'up' | 'down' | 'degraded';
  version: string | null;
  gitSha?: string | null;
  uptimeMs?: number;
  error?: string;
  /** The auditor's ledger: lag behind the stream, parked messages, completeness. */
  ledger?: Record<string, unknown>;
  /** The gateway's tools memo: distinct tool texts held, hits (see edge/tools-memo.ts). */
  toolsMemo?: ReturnType<ToolsMemo['stats']>;
}

/**
 * `GET /health`: every service's status asked over NATS with a deadline. Without a key only the
 * verdict (`{"status":"ok"|"degraded"}`, HTTP 200: the gateway answers, so it is up); with one also
 * versions, git shas, uptimes, error texts and each service's details.
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(TOOLS_MEMO) private readonly toolsMemo: ToolsMemo | null,
  ) {}

  @Get('health')
  async health(@Req() req: FastifyRequest) {
    const others = SERVICE_NAMES.filter((s) => s !== 'gateway');
    const answers = await Promise.all(others.map((s) => this.ask(s)));
    const services: Record<string, ServiceStatus> = {
      gateway: { status: 'up', version: this.rt.build.version, gitSha: this.rt.build.gitSha, uptimeMs: Date.now() - this.rt.startedAt, ...(this.toolsMemo ? { toolsMemo: this.toolsMemo.stats() } : {}) },
    };
    others.forEach((s, i) => (services[s] = answers[i]));
    const nats = this.bus.connectionState();
    const allUp = nats.connected && Object.values(services).every((s) => s.status === 'up');
    if (!req.authenticated) return { status: allUp ? 'ok' : 'degraded' };
    return { status: allUp ? 'ok' : 'degraded', version: this.rt.build.version, gitSha: this.rt.build.gitSha, nats, services };
  }

  private async ask(service: string): Promise<ServiceStatus> {
    try {
      const r: HealthReply = await this.bus.request(healthRpc(service), {}, this.config.CP_HEALTH_TIMEOUT_MS);
      const ledger = service === 'auditor' && r.details ? { lag: r.details.lag, parked: r.details.parked, checkpointSeq: r.details.checkpointSeq, gaps: r.details.gaps } : undefined;
      return { status: r.status, version: r.version, gitSha: r.gitSha, uptimeMs: r.uptimeMs, ...(ledger ? { ledger } : {}) };
    } catch (err) {
      return { status: 'down', version: null, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
