import { Body, Controller, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequest } from '@cp/shared/contracts';
import { ApiKeyGuard } from './api-key.guard';
import { CompletionService } from './completion.service';
import { parseBody } from './gateway-error';

/** `POST /v1/chat/completions` in the OpenAI request and response format. */
@Controller('v1/chat')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(@Inject(CompletionService) private readonly completions: CompletionService) {}

  @Post('completions')
  async create(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const request = parseBody(ChatCompletionRequest, body);
    // The edge's id (the client's own when it sent a sane one), already on every answer as x-request-id.
    const requestId = req.id;
    if (request.stream === true) return this.completions.stream(requestId, request, reply);
    const response = await this.completions.complete(requestId, request);
    void reply.code(200).send(response);
  }
}
