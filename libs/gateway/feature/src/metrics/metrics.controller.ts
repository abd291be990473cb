import { Controller, Get, Inject, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeyGuard } from '../api-key.guard';
import { GatewayMetrics } from './gateway-metrics';

/** `GET /metrics`: this gateway's metrics in the Prometheus text format; scraping needs a gateway key (Bearer), like every route but `/health`. */
@Controller()
@UseGuards(ApiKeyGuard)
export class MetricsController {
  constructor(@Inject(GatewayMetrics) private readonly metrics: GatewayMetrics) {}

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    void reply.header('content-type', contentType).send(body);
  }
}
