import { Body, Controller, Headers, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ChatCompletionRequest } from '@cp/shared/contracts';
import { uuidv7 } from 'uuidv7';
import { ApiKeyGuard } from './api-key.guard';
import { CompletionService } from './completion.service';
import { parseBody } from './gateway-error';

/** `POST /v1/chat/completions` in the OpenAI request and response format. */
@Controller('v1/chat')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(@Inject(CompletionService) private readonly completions: CompletionService) {}

  @Post('completions')
  async create(@Body() body: unknown, @Res() reply: FastifyReply, @Headers('x-request-id') clientId?: string): Promise<void> {
    const request = parseBody(ChatCompletionRequest, body);
    const requestId = saneRequestId(clientId) ?? uuidv7();
    void reply.header('x-request-id', requestId);
    if (request.stream === true) return this.completions.stream(requestId, request, reply);
    const response = await this.completions.complete(requestId, request);
    void reply.code(200).send(response);
  }
}

/**
 * A client's own request id is kept (and returned), so it can find its request in the ledger and in
 * traces; only a short id of safe characters is, anything else gets one of ours.
 */
export function saneRequestId(value: string | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
