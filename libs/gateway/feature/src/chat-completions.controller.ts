import { Body, Controller, Inject, Post, Res, UseGuards } from '@nestjs/common';
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
  async create(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const request = parseBody(ChatCompletionRequest, body);
    const requestId = uuidv7();
    void reply.header('x-request-id', requestId);
    if (request.stream === true) return this.completions.stream(requestId, request, reply);
    const response = await this.completions.complete(requestId, request);
    void reply.code(200).send(response);
  }
}
