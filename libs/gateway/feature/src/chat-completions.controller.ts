import { Body, Controller, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ChatCompletionRequest } from '@cp/shared/contracts';
import { uuidv7 } from 'uuidv7';
import { ApiKeyGuard } from './api-key.guard';
import { CompletionService } from './completion.service';
import { GatewayError } from './gateway-error';

/** `POST /v1/chat/completions` in the OpenAI request and response format. */
@Controller('v1/chat')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(@Inject(CompletionService) private readonly completions: CompletionService) {}

  @Post('completions')
  @HttpCode(200)
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const parsed = ChatCompletionRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join('.') || null;
      throw GatewayError.invalidRequest(`invalid request: ${param ? `${param}: ` : ''}${issue?.message ?? 'malformed body'}`, param);
    }
    const requestId = uuidv7();
    void reply.header('x-request-id', requestId);
    return this.completions.complete(requestId, parsed.data);
  }
}
